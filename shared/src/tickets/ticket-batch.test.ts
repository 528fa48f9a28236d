import assert from 'node:assert/strict';
import { sha256 } from '../crypto/sha256';
import { nodeEd25519 } from '../node/node-ed25519';
import { VactError } from '../errors/error-codes';
import { signHostCertificate } from './certificate';
import { batchLeafHash, merkleTree, rootFromInclusionPath, MAX_BATCH_TICKETS, type TicketBatchProof } from './ticket-batch';
import { decodeTicket, encodeTicket, encodeTicketBody, signTicketBatchByHost, signTicketByHost, ticketFromText, ticketToText, verifyTicket, type Ticket, type TicketBody } from './ticket';

// RFC 9162 §2.1.1 and §2.1.3.1 written as the RFC writes them (recursive), to check the bottom-up tree against.
const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(Uint8Array.from([1, ...l, ...r]));
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 1) return d[0];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return node(mth(d.slice(0, k)), mth(d.slice(k)));
}
function rfcPath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k ? [...rfcPath(m, d.slice(0, k)), mth(d.slice(k))] : [...rfcPath(m - k, d.slice(k)), mth(d.slice(0, k))];
}
const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => batchLeafHash(sha256, Uint8Array.of(i, i >> 8)));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('ticket batches (Merkle tree, RFC 9162)', () => {
  it('root and every inclusion path equal RFC 9162\'s recursive definition, for 1 to 70 leaves and 1024', () => {
    for (const n of [...Array.from({ length: 70 }, (_, i) => i + 1), 1023, 1024]) {
      const d = leaves(n);
      const { root, paths } = merkleTree(sha256, d);
      assert.equal(hex(root), hex(mth(d)), `root of ${n}`);
      for (let m = 0; m < n; m += n > 70 ? 97 : 1) {
        assert.deepEqual(paths[m].map(hex), rfcPath(m, d).map(hex), `path of leaf ${m} of ${n}`);
        assert.equal(hex(rootFromInclusionPath(sha256, d[m], { index: m, size: n, path: paths[m] })!), hex(root), `leaf ${m} of ${n} leads to the root`);
      }
    }
  });

  it('a path leads nowhere for another leaf, index or size, or when cut or padded', () => {
    const d = leaves(13);
    const { root, paths } = merkleTree(sha256, d);
    const at = (leaf: Uint8Array, p: TicketBatchProof): string | undefined => {
      const r = rootFromInclusionPath(sha256, leaf, p);
      return r ? hex(r) : undefined;
    };
    const good = { index: 5, size: 13, path: paths[5] };
    assert.equal(at(d[5], good), hex(root));
    assert.notEqual(at(d[6], good), hex(root));
    assert.notEqual(at(d[5], { ...good, index: 4 }), hex(root));
    // A size with the same shape for this leaf leads to the same root: that is why the host signs the size with the root.
    assert.equal(at(d[5], { ...good, size: 14 }), hex(root));
    assert.equal(at(d[5], { ...good, size: 6 }), undefined, 'a path longer than the tree is deep');
    assert.equal(at(d[5], { ...good, size: 5 }), undefined, 'index past the end');
    assert.equal(at(d[5], { ...good, size: MAX_BATCH_TICKETS + 1 }), undefined, 'a size no batch has');
    assert.equal(at(d[5], { ...good, path: paths[5].slice(1) }), undefined, 'a path one hash short');
    assert.equal(at(d[5], { ...good, path: [...paths[5], paths[5][0]] }), undefined, 'a path one hash long');
    assert.equal(at(d[5], { ...good, path: [paths[5][0].subarray(1), ...paths[5].slice(1)] }), undefined, 'a hash of 31 bytes');
    assert.throws(() => merkleTree(sha256, []), VactError);
    assert.throws(() => merkleTree(sha256, leaves(MAX_BATCH_TICKETS + 1)), VactError);
  });
});

describe('batch-signed KMS tickets', () => {
  const T0 = Date.UTC(2026, 11, 8);
  const root = nodeEd25519.generateKeyPair();
  const host = nodeEd25519.generateKeyPair();
  const cert = signHostCertificate(nodeEd25519, root.privateKey, {
    version: 1, serial: 'batch-host', hostPublicKey: host.publicKey, hostKeyGroup: 'server-b', hostHardwareHash: 'aa'.repeat(16),
    hostEdition: 'server-enterprise', issuedAt: T0, validUntil: T0 + 365 * 86_400_000,
  });
  const body = (i: number): TicketBody => ({
    version: 1, cmid: i.toString(16).padStart(32, '0'), hardwareHash: `hw-${i}`, edition: 'server-standard', channel: 'KMS',
    partialKey: 'CT4AT', issuedAt: T0 + 1000, validUntil: T0 + 181 * 86_400_000, nonce: (i + 7).toString(16).padStart(32, '0'), issuer: 'kms-host',
  });
  const expectFor = (b: TicketBody) => ({ cmid: b.cmid, hardwareHash: b.hardwareHash, edition: b.edition, nonce: b.nonce, now: T0 + 2000 });
  const codeOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof VactError);
      return `${e.code}: ${e.message}`;
    }
    return 'no error';
  };

  it('every ticket of a batch verifies on its own, after the trip through bytes and text; one signature for all', () => {
    const bodies = Array.from({ length: 11 }, (_, i) => body(i));
    const tickets = signTicketBatchByHost(nodeEd25519, sha256, host.privateKey, cert, bodies);
    assert.equal(new Set(tickets.map((t) => t.signature)).size, 1);
    tickets.forEach((t, i) => {
      assert.deepEqual(t.batch && [t.batch.index, t.batch.size], [i, 11]);
      const back = decodeTicket(encodeTicket(t));
      assert.deepEqual(encodeTicket(back), encodeTicket(t));
      verifyTicket(nodeEd25519, root.publicKey, back, expectFor(bodies[i]));
      verifyTicket(nodeEd25519, root.publicKey, ticketFromText(ticketToText(t)), expectFor(bodies[i]));
    });
  });

  it('a batch of one is the plain ticket, byte for byte', () => {
    const [one] = signTicketBatchByHost(nodeEd25519, sha256, host.privateKey, cert, [body(1)]);
    assert.equal(one.batch, undefined);
    assert.deepEqual(encodeTicket(one), encodeTicket(signTicketByHost(nodeEd25519, host.privateKey, cert, body(1))));
  });

  it('a ticket with another\'s path, index or body, or a batch ticket claimed by the authority, is refused', () => {
    const bodies = [body(1), body(2), body(3)];
    const [a, b] = signTicketBatchByHost(nodeEd25519, sha256, host.privateKey, cert, bodies);
    const swapped: Ticket = { ...a, batch: b.batch };
    assert.match(codeOf(() => verifyTicket(nodeEd25519, root.publicKey, swapped, expectFor(bodies[0]))), /^INVALID_SIGNATURE/);
    const moved: Ticket = { ...a, batch: { ...a.batch!, index: 2 } };
    assert.match(codeOf(() => verifyTicket(nodeEd25519, root.publicKey, moved, expectFor(bodies[0]))), /^INVALID_SIGNATURE/);
    const forged: Ticket = { ...a, body: { ...a.body, validUntil: a.body.validUntil! + 86_400_000 } };
    assert.match(codeOf(() => verifyTicket(nodeEd25519, root.publicKey, forged, expectFor(bodies[0]))), /^INVALID_SIGNATURE/);
    const resized: Ticket = { ...a, batch: { ...a.batch!, size: 4 } };
    assert.match(codeOf(() => verifyTicket(nodeEd25519, root.publicKey, resized, expectFor(bodies[0]))), /^INVALID_SIGNATURE/);
    const noPath: Ticket = { body: a.body, signature: a.signature, hostCertificate: cert };
    assert.match(codeOf(() => verifyTicket(nodeEd25519, root.publicKey, noPath, expectFor(bodies[0]))), /^INVALID_SIGNATURE/);
    const authority: Ticket = { ...a, body: { ...a.body, issuer: 'authority' } };
    assert.match(codeOf(() => verifyTicket(nodeEd25519, root.publicKey, authority, expectFor(bodies[0]))), /^INVALID_SIGNATURE: .*the authority signs tickets one at a time/);
    // Another client's ticket of the same batch is bound to that client.
    assert.match(codeOf(() => verifyTicket(nodeEd25519, root.publicKey, b, expectFor(bodies[0]))), /^TICKET_MISMATCH/);
  });

  it('malformed proofs are refused when decoding, naming the field', () => {
    const [t] = signTicketBatchByHost(nodeEd25519, sha256, host.privateKey, cert, [body(1), body(2)]);
    const bytes = encodeTicket(t);
    const proofAt = bytes.length - (5 + 32); // u16 index, u16 size, u8 length, one hash
    const with_ = (at: number, v: number): Uint8Array => {
      const b = bytes.slice();
      b[at] = v;
      return b;
    };
    assert.match(codeOf(() => decodeTicket(with_(proofAt + 3, 1))), /batch index 0 of size 1/);
    assert.match(codeOf(() => decodeTicket(with_(proofAt + 1, 2))), /batch index 2 of size 2/);
    assert.match(codeOf(() => decodeTicket(with_(proofAt + 4, 0))), /batch path length 0/);
    assert.match(codeOf(() => decodeTicket(with_(proofAt + 4, 11))), /batch path length 11/);
    assert.match(codeOf(() => decodeTicket(bytes.subarray(0, bytes.length - 1))), /truncated/);
    assert.match(codeOf(() => decodeTicket(Uint8Array.from([...bytes, 0]))), /trailing/);
    const formAt = encodeTicketBody(body(1)).length + 64;
    assert.equal(bytes[formAt], 2);
    assert.match(codeOf(() => decodeTicket(with_(formAt, 3))), /must be 0, 1 or 2, got 3/);
  });
});
