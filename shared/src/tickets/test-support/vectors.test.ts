import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeEd25519 } from '../../node/node-ed25519';
import { decodeConfirmationId } from '../../offline/confirmation-id';
import { decodeInstallationId, installationIdNonce, openInstallationId } from '../../offline/installation-id';
import { decodeHostCertificate, verifyHostCertificate } from '../certificate';
import { decodeTicket, verifyTicket } from '../ticket';
import { protocolTestVectors } from './vectors';

// dist/tickets/test-support -> repository root
const PROTOCOL_MD = join(__dirname, '..', '..', '..', '..', 'docs', 'protocol.md');

/** The JSON block between the test-vector markers of docs/protocol.md. */
function documentedVectors(): unknown {
  const text = readFileSync(PROTOCOL_MD, 'utf8');
  const m = /<!-- test-vectors:begin -->\s*```json\n([\s\S]*?)```\s*<!-- test-vectors:end -->/.exec(text);
  assert.ok(m, 'docs/protocol.md has a test-vectors block');
  return JSON.parse(m[1]);
}

describe('protocol test vectors (docs/protocol.md)', () => {
  it('the documented vectors are exactly what the code produces', () => {
    const actual = JSON.parse(JSON.stringify(protocolTestVectors())) as unknown;
    assert.deepEqual(documentedVectors(), actual, `docs/protocol.md is stale; replace its test-vectors block with:\n${JSON.stringify(actual, null, 2)}`);
  });

  it('the documented encodings decode and verify', () => {
    const v = protocolTestVectors();
    const cert = decodeHostCertificate(Buffer.from(v.certificate.encodedHex, 'hex'));
    verifyHostCertificate(nodeEd25519, v.keys.rootPublicKey, cert, v.certificate.body.issuedAt);
    const kms = decodeTicket(Buffer.from(v.kmsTicket.encodedHex, 'hex'));
    const b = v.kmsTicket.body;
    verifyTicket(nodeEd25519, v.keys.rootPublicKey, kms, { cmid: b.cmid, hardwareHash: b.hardwareHash, edition: b.edition, nonce: b.nonce, now: b.issuedAt });
    const tb = v.kmsTicketBatch;
    const last = decodeTicket(Buffer.from(tb.lastEncodedHex, 'hex'));
    assert.deepEqual([last.batch?.index, last.batch?.size, last.signature], [2, 3, tb.signature]);
    verifyTicket(nodeEd25519, v.keys.rootPublicKey, last, { cmid: tb.bodies[2].cmid, hardwareHash: b.hardwareHash, edition: b.edition, nonce: tb.bodies[2].nonce, now: b.issuedAt });
    assert.ok(nodeEd25519.verify(v.keys.hostPublicKey, Buffer.from(tb.rootMessageHex, 'hex'), Buffer.from(tb.signature, 'base64')));
    const iid = decodeInstallationId(v.offline.installationId, v.offline.editionIds);
    assert.deepEqual(iid, v.offline.decoded);
    assert.equal(installationIdNonce(iid, v.offline.editionIds), v.offline.nonce);
    assert.equal(openInstallationId(iid, v.offline.editionIds, Buffer.from(v.keys.rootSeed, 'hex')), v.offline.key);
    const offline = decodeConfirmationId(v.offline.confirmationId.join('\n'));
    const { cmid, hardwareHash, edition } = iid;
    verifyTicket(nodeEd25519, v.keys.rootPublicKey, offline, { cmid, hardwareHash, edition, nonce: v.offline.nonce, now: v.offline.ticketBody.issuedAt });
  });

  it('the seal agrees with node:crypto\'s X25519 and HKDF (a second implementation)', () => {
    const o = protocolTestVectors().offline;
    const b64url = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');
    const eph = o.seal.ephemeralPublicKey;
    const mine = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64url(o.ephemeralSecret), x: b64url(eph) }, format: 'jwk' });
    const theirs = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(o.authorityX25519PublicKeyHex) }, format: 'jwk' });
    const shared = diffieHellman({ privateKey: mine, publicKey: theirs });
    assert.equal(shared.toString('hex'), o.sharedSecretHex);
    const okm = Buffer.from(hkdfSync('sha256', shared, Buffer.from(eph + o.authorityX25519PublicKeyHex, 'hex'), 'vact/sealed-key/v1', 40));
    const body = Buffer.from(o.keyBodyHex, 'hex').map((v, i) => v ^ okm[i]);
    assert.equal(Buffer.from(body).toString('hex'), o.seal.ciphertext);
    assert.equal(okm.subarray(8).toString('hex'), o.seal.bindKey);
    // The IID bytes: the machine in clear, then E, the ciphertext and the tag.
    assert.equal(o.payloadHex.slice(4, 68), o.decoded.cmid + o.decoded.hardwareHash);
    assert.equal(o.payloadHex.slice(68), eph + o.seal.ciphertext + o.decoded.tag);
  });
});
