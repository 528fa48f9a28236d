import assert from 'node:assert/strict';
import { hostTicketSigner, sha256, signHostCertificate, verifyTicket, type KmsTicketSigner, type TicketBody } from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';
import { TicketBatcher } from './ticket-batcher';

describe('KMS host ticket batcher', () => {
  const now = Date.UTC(2026, 11, 8);
  const root = nodeEd25519.generateKeyPair();
  const host = nodeEd25519.generateKeyPair();
  const cert = signHostCertificate(nodeEd25519, root.privateKey, {
    version: 1, serial: 's', hostPublicKey: host.publicKey, hostKeyGroup: 'server-b', hostHardwareHash: 'hw', hostEdition: 'server-enterprise', issuedAt: now, validUntil: now + 86_400_000 * 365,
  });
  const body = (i: number): TicketBody => ({
    version: 1, cmid: i.toString(16).padStart(32, '0'), hardwareHash: `hw-${i}`, edition: 'server-standard', channel: 'KMS', partialKey: 'CT4AT',
    issuedAt: now, validUntil: now + 180 * 86_400_000, nonce: i.toString(16).padStart(32, 'f'), issuer: 'kms-host',
  });
  const verify = (b: TicketBody, t: Parameters<typeof verifyTicket>[2]): void =>
    verifyTicket(nodeEd25519, root.publicKey, t, { cmid: b.cmid, hardwareHash: b.hardwareHash, edition: b.edition, nonce: b.nonce, now });
  /** A signer that counts its signatures. */
  const counting = (): KmsTicketSigner & { signatures: number } => {
    const inner = hostTicketSigner(nodeEd25519, host.privateKey, cert, sha256);
    const s = {
      signatures: 0,
      sign: (b: TicketBody) => { s.signatures++; return inner.sign(b); },
      signBatch: (bs: readonly TicketBody[]) => { s.signatures++; return inner.signBatch(bs); },
    };
    return s;
  };

  it('tickets asked for in one turn of the event loop share one signature; a lone one is a plain ticket', async () => {
    const b = new TicketBatcher();
    const signer = counting();
    const tickets = await Promise.all([1, 2, 3, 4, 5].map((i) => b.sign(signer, body(i))));
    assert.equal(signer.signatures, 1);
    tickets.forEach((t, i) => verify(body(i + 1), t));
    assert.deepEqual(tickets.map((t) => t.batch?.index), [0, 1, 2, 3, 4]);
    const lone = await b.sign(signer, body(9));
    assert.equal(lone.batch, undefined);
    verify(body(9), lone);
    assert.deepEqual(b.stats, { tickets: 6, signatures: 2, largestBatch: 5 });
  });

  it('waits for requests on their way, and no longer than its longest wait', async () => {
    let onTheirWay = 2;
    const b = new TicketBatcher(() => onTheirWay, 50);
    const signer = counting();
    const first = b.sign(signer, body(1));
    await new Promise((r) => setImmediate(r));
    assert.equal(signer.signatures, 0, 'the first ticket waits: two more requests are being read');
    onTheirWay = 1;
    const second = b.sign(signer, body(2));
    onTheirWay = 0;
    const third = b.sign(signer, body(3)); // the last one on its way: the batch goes at the end of this turn
    const all = await Promise.all([first, second, third]);
    assert.equal(signer.signatures, 1);
    assert.deepEqual(all.map((t) => t.batch?.size), [3, 3, 3]);
    // A request that never comes (a silent client) holds a batch for the longest wait only.
    onTheirWay = 1;
    const started = Date.now();
    await b.sign(signer, body(4));
    assert.ok(Date.now() - started < 5_000);
    assert.equal(signer.signatures, 2);
  });

  it('a signer change splits the batch; a failing signer fails its own tickets only; dispose drops the rest', async () => {
    const b = new TicketBatcher();
    const one = counting();
    const two = counting();
    const broken: KmsTicketSigner = { sign: () => { throw new Error('no key'); }, signBatch: () => { throw new Error('no key'); } };
    const results = await Promise.allSettled([b.sign(one, body(1)), b.sign(one, body(2)), b.sign(two, body(3)), b.sign(broken, body(4)), b.sign(two, body(5))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual([one.signatures, two.signatures], [1, 2]);
    const dropped = b.sign(one, body(6));
    b.dispose();
    await assert.rejects(dropped, { code: 'KMS_HOST_NOT_ACTIVATED' });
    assert.equal(one.signatures, 1);
  });

  it('signNow signs alone and counts it', () => {
    const b = new TicketBatcher();
    const signer = counting();
    verify(body(1), b.signNow(signer, body(1)));
    assert.deepEqual(b.stats, { tickets: 1, signatures: 1, largestBatch: 1 });
  });
});
