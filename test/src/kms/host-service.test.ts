// The KMS host role standalone: listener + handler + count store, over real TCP; the count survives a restart.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostTicketSigner, referenceCatalogue, verifyTicket } from '@vact/shared';
import { ed25519KeyPairFromSeed, nodeEd25519, SystemClock } from '@vact/shared/node';
import { KmsHostService, kmsExchange, type HostSelf } from '@vact/agent/kms';
import { hostCertificate, request, ROOT } from './kms-host-fixture';

describe('KMS host service', () => {
  const clock = new SystemClock();
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-kmshost-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const self = (licensed: boolean): HostSelf => {
    const cert = hostCertificate(clock.now());
    const key = ed25519KeyPairFromSeed(Uint8Array.from({ length: 32 }, (_, i) => 0x20 + i));
    return { licensed, certificate: cert, signer: hostTicketSigner(nodeEd25519, key.privateKey, cert), activationIntervalMinutes: 120, renewalIntervalMinutes: 10_080 };
  };
  const service = (licensed = true) => new KmsHostService({ clock, catalogue: referenceCatalogue(), stateFile: path.join(dir, 'kms-host.json'), self: () => self(licensed), listen: { host: '127.0.0.51', port: 0 } });

  it('counts over TCP, lists its clients, and keeps the count across a restart', async () => {
    const events: string[] = [];
    const a = new KmsHostService({ clock, catalogue: referenceCatalogue(), stateFile: path.join(dir, 'kms-host.json'), self: () => self(true), listen: { host: '127.0.0.51', port: 0 }, onRequest: (e) => events.push(e.result) });
    const { port } = await a.start();
    for (let i = 0; i < 4; i++) await kmsExchange({ host: '127.0.0.51', port }, request('server-standard', clock.now()), { clock });
    assert.deepEqual(events, ['below-threshold', 'below-threshold', 'below-threshold', 'below-threshold']);
    assert.equal(a.clients().length, 4);
    assert.equal(a.clients()[0].sourceAddress, '127.0.0.1');
    await a.stop();
    const b = service();
    const bound = await b.start();
    assert.equal(b.status().count, 4);
    const r = await kmsExchange({ host: '127.0.0.51', port: bound.port }, request('server-standard', clock.now()), { clock });
    assert.ok(r.type === 'response' && r.response.count === 5 && r.response.activated);
    assert.deepEqual(b.status().requests.byResult, { activated: 1 });
    await b.stop();
  });

  it('clients that take batch tickets share signatures, the others get one each; every ticket verifies for its own machine', async () => {
    // One signer, as the host role keeps it (a new certificate or key would start a new batch).
    const me = self(true);
    const s = new KmsHostService({ clock, catalogue: referenceCatalogue(), stateFile: path.join(dir, 'kms-host.json'), self: () => me, listen: { host: '127.0.0.51', port: 0 }, batchWaitMs: 50 });
    const { port } = await s.start();
    for (let i = 0; i < 5; i++) await kmsExchange({ host: '127.0.0.51', port }, request('server-standard', clock.now()), { clock });
    const before = s.status().signing;
    const asks = Array.from({ length: 40 }, (_, i) => ({ ...request('server-standard', clock.now()), batchTickets: i % 4 !== 0 }));
    const replies = await Promise.all(asks.map((q) => kmsExchange({ host: '127.0.0.51', port }, q, { clock })));
    const batched = new Set<string>();
    replies.forEach((r, i) => {
      const q = asks[i];
      assert.ok(r.type === 'response' && r.response.activated && r.response.ticket, JSON.stringify(r));
      const t = r.response.ticket;
      verifyTicket(nodeEd25519, ROOT.publicKey, t, { cmid: q.cmid, hardwareHash: q.hardwareHash, edition: q.edition, nonce: q.nonce, now: clock.now() });
      if (!q.batchTickets) assert.equal(t.batch, undefined, 'a client that did not ask gets a plain ticket');
      if (t.batch) batched.add(t.signature);
    });
    const after = s.status().signing;
    assert.equal(after.tickets - before.tickets, 40);
    assert.ok(after.signatures - before.signatures < 40, `40 tickets took ${after.signatures - before.signatures} signatures`);
    assert.ok(batched.size >= 1 && after.largestBatch > 1);
    assert.equal(s.status().count, 10, "server editions only: the cache holds 2 x 5");
    await s.stop();
  });

  it('a host that is not Licensed answers KMS_HOST_NOT_ACTIVATED and counts nothing', async () => {
    const s = service(false);
    const { port } = await s.start();
    const r = await kmsExchange({ host: '127.0.0.51', port }, request('server-standard', clock.now()), { clock });
    assert.ok(r.type === 'error' && r.error.code === 'KMS_HOST_NOT_ACTIVATED');
    assert.equal(s.status().count, 0);
    await s.stop();
  });
});
