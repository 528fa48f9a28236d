// KMS end to end with real processes: a real authority certifies a KMS host (a `vact agent run`
// with a server host key), real server-edition agents activate against it over TCP, and the `vact`
// CLI shows it all. A rogue host (certified by another authority) activates nobody.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import type { HostClientsResult, KmsShowResult } from '@vact/shared';
import { ProcessGroup } from '../fixtures/processes';
import { issueKey, startAuthority, type AuthorityUnderTest } from '../authority/authority-harness';
import { LabAgent, rawRequest } from './kms-lab';

const HOST_EDITION = 'server-enterprise';
const CLIENT_EDITION = 'server-standard';

describe('KMS end to end: a host and five server clients (real agents, real authority)', function () {
  this.timeout(240_000);
  const group = new ProcessGroup();
  let authority: AuthorityUnderTest;
  let keyFile: string;

  before(async () => {
    authority = await startAuthority(group);
    keyFile = `${authority.dir}/authority-root.pub`;
  });
  after(() => group.dispose());

  it('the host is certified by the authority; five clients are Licensed by KMS; host status counts 5; uninstall stops the listener', async () => {
    const hostKey = await issueKey(authority, 'kms-host', 'server-b');
    const host = new LabAgent(group, 'kms1', HOST_EDITION, { url: authority.url, keyFile }, ['--kms-listen', '127.0.0.1:0']);
    await host.start();
    const installed = await host.json<{ activation: { succeeded: boolean }; status: { status: string; channel: string } }>(['key', 'install', hostKey]);
    assert.equal(installed.activation.succeeded, true);
    assert.equal(installed.status.status, 'Licensed');
    assert.equal(installed.status.channel, 'KMS-host');
    const port = await host.kmsPort();
    const before = await host.hostStatus();
    assert.equal(before.activated, true);
    assert.equal(before.count, 0);
    assert.equal(before.certificate?.keyGroup, 'server-b');
    // The workspace installs the optional sodium-native: the host signs with libsodium, and says so.
    assert.equal(before.signer, 'libsodium');
    assert.match((await host.run(['host', 'status'])).stdout, /Ticket signatures: Ed25519 by libsodium \(sodium-native\)/);

    const clients = await Promise.all([1, 2, 3, 4, 5].map(async (i) => {
      const c = new LabAgent(group, `srv${i}`, CLIENT_EDITION, { url: authority.url, keyFile });
      await c.start();
      return c;
    }));
    // One by one: the first four hear counts 1..4 (below the server threshold of 5), the fifth is activated.
    for (const [i, c] of clients.entries()) {
      await c.json<KmsShowResult>(['kms', 'set', `127.0.0.1:${port}`]);
      const r = await c.run(['activate', '--json']);
      if (i < 4) {
        assert.notEqual(r.code, 0);
        assert.match(r.stdout, /KMS_COUNT_TOO_LOW/);
        assert.equal((await c.json<KmsShowResult>(['kms', 'show'])).lastCount, i + 1);
      } else {
        assert.equal(r.code, 0, r.stdout + r.stderr);
      }
    }
    // The first four are activated at their next attempt (here: asked at once).
    for (const c of clients.slice(0, 4)) await c.json(['activate']);
    // Every activated answer carried a ticket; each took a signature of its own or shared one with its batch.
    const signed = await host.hostStatus();
    assert.ok(signed.signing && signed.signing.tickets >= 5 && signed.signing.signatures >= 1 && signed.signing.signatures <= signed.signing.tickets, JSON.stringify(signed.signing));
    assert.match((await host.run(['host', 'status'])).stdout, new RegExp(`${signed.signing.tickets} tickets under ${signed.signing.signatures} signatures since the listener started`));
    for (const c of clients) {
      const s = await c.status();
      assert.equal(s.status, 'Licensed', c.name);
      assert.equal(s.channel, 'KMS');
      assert.equal(s.kms?.host, `127.0.0.1:${port}`);
      assert.equal(s.kms?.foundBy, 'static');
      assert.ok(s.kms?.count !== null && s.kms.count >= 5);
      assert.equal(s.intervals.source, 'host');
      const text = await c.run(['status', '-v']);
      assert.match(text.stdout, /KMS machine name: 127\.0\.0\.1:\d+ \(found by `vact kms set`\)/);
      assert.match(text.stdout, /KMS renewal interval: 10080 minutes/);
      const ev = await c.events([12288, 12289]);
      assert.ok(ev.some((e) => e.eventId === 12288) && ev.some((e) => e.eventId === 12289 && typeof e.data?.count === 'number'));
    }
    const after = await host.hostStatus();
    assert.equal(after.count, 5);
    assert.equal(after.cacheSize, 10);
    assert.equal(after.requests.byResult['below-threshold'], 4);
    assert.equal(after.requests.byResult['activated'], 5);
    const listed = await host.json<HostClientsResult>(['host', 'clients']);
    assert.equal(listed.clients.length, 5);
    assert.deepEqual(new Set(listed.clients.map((c) => c.edition)), new Set([CLIENT_EDITION]));
    assert.ok(listed.clients.every((c) => !c.duplicate && c.sourceAddress.endsWith('127.0.0.1')));
    assert.equal((await host.events([12290])).length, 9);

    // Uninstall: the listener goes away and the host view says this is no host.
    await host.json(['key', 'uninstall']);
    assert.equal(await host.fails(['host', 'status']), 'KEY_WRONG_TYPE');
    await assert.rejects(new Promise<void>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(); });
      s.once('error', reject);
    }));
    for (const c of clients) await c.stop();
    await host.stop();
  });

  it('a duplicate CMID is flagged on the host, the client is told, takes a new CMID and is counted', async () => {
    const hostKey = await issueKey(authority, 'kms-host', 'server-b');
    const host = new LabAgent(group, 'kms2', HOST_EDITION, { url: authority.url, keyFile }, ['--kms-listen', '127.0.0.1:0']);
    await host.start();
    await host.json(['key', 'install', hostKey]);
    const port = await host.kmsPort();
    const client = new LabAgent(group, 'clone', CLIENT_EDITION, { url: authority.url, keyFile });
    await client.start();
    const cmid = (await client.status()).cmid;
    // Another machine (a cloned image) already asked with this CMID.
    const first = await rawRequest('127.0.0.1', port, CLIENT_EDITION, Date.now(), { cmid, machineName: 'original-pc' });
    assert.equal(first.type, 'response');
    await client.json(['kms', 'set', `127.0.0.1:${port}`]);
    await client.run(['activate']);
    const after = await client.status();
    assert.notEqual(after.cmid, cmid, 'the client regenerated its CMID');
    const regenerated = await client.events([12410]);
    assert.ok(regenerated.some((e) => e.data?.reason === 'duplicate-cmid' && e.data?.previousCmid === cmid));
    const listed = await host.json<HostClientsResult>(['host', 'clients']);
    const flagged = listed.clients.find((c) => c.cmid === cmid);
    assert.ok(flagged?.duplicate, 'the cloned CMID is flagged');
    assert.equal(flagged.machineName, 'original-pc');
    assert.ok(listed.clients.some((c) => c.cmid === after.cmid), 'the new CMID was counted');
    assert.equal((await host.hostStatus()).count, 2, 'counted once per machine');
    assert.equal((await host.hostStatus()).requests.byResult['duplicate-cmid'], 1);
    await client.stop();
    await host.stop();
  });

  it('a rogue host (certified by another authority) activates nobody; the refusal is logged with the reason', async () => {
    const rogueAuthority = await startAuthority(group, { name: 'rogue authority' });
    const rogueKey = await issueKey(rogueAuthority, 'kms-host', 'server-b');
    const rogue = new LabAgent(group, 'rogue', HOST_EDITION, { url: rogueAuthority.url, keyFile: `${rogueAuthority.dir}/authority-root.pub` }, ['--kms-listen', '127.0.0.1:0']);
    await rogue.start();
    await rogue.json(['key', 'install', rogueKey]);
    const port = await rogue.kmsPort();
    for (let i = 0; i < 4; i++) await rawRequest('127.0.0.1', port, CLIENT_EDITION, Date.now());
    const client = new LabAgent(group, 'victim', CLIENT_EDITION, { url: authority.url, keyFile });
    await client.start();
    await client.json(['kms', 'set', `127.0.0.1:${port}`]);
    const r = await client.run(['activate', '--json']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /INVALID_SIGNATURE/);
    assert.equal((await rogue.hostStatus()).requests.byResult['activated'], 1, 'the rogue host did sign');
    const s = await client.status();
    assert.notEqual(s.status, 'Licensed');
    const rejected = await client.events([12414]);
    assert.ok(rejected.length > 0 && /not signed by the authority root key/.test(rejected[0].message));
    await client.stop();
    await rogue.stop();
  });
});
