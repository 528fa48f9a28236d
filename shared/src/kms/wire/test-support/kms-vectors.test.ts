import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeEd25519 } from '../../../node/node-ed25519';
import { verifyTicket } from '../../../tickets/ticket';
import { fromHex } from '../bytes';
import { decodeKmsFrame, encodeKmsRequest } from '../messages';
import { kmsTestVectors, KMS_VECTOR_NOW, vectorHost } from './kms-vectors';
import { protocolTestVectors } from '../../../tickets/test-support/vectors';

// dist/kms/wire/test-support -> repository root
const PROTOCOL_MD = join(__dirname, '..', '..', '..', '..', '..', 'docs', 'protocol.md');

function documented(): unknown {
  const m = /<!-- kms-test-vectors:begin -->\s*```json\n([\s\S]*?)```\s*<!-- kms-test-vectors:end -->/.exec(readFileSync(PROTOCOL_MD, 'utf8'));
  assert.ok(m, 'docs/protocol.md has a kms-test-vectors block');
  return JSON.parse(m[1]);
}

describe('KMS wire test vectors (docs/protocol.md)', () => {
  it('the documented frames are byte for byte what the codec and host handler produce', () => {
    const actual = JSON.parse(JSON.stringify(kmsTestVectors())) as unknown;
    assert.deepEqual(documented(), actual, `docs/protocol.md is stale; replace its kms-test-vectors block with:\n${JSON.stringify(actual, null, 2)}`);
  });

  it('the documented request decodes to its fields and re-encodes to the same bytes', () => {
    const v = kmsTestVectors();
    const m = decodeKmsFrame(fromHex(v.request.hex, 'vector'));
    assert.equal(m.type, 'request');
    assert.deepEqual(m.type === 'request' && m.request, v.request.fields);
    assert.equal(Buffer.from(encodeKmsRequest(v.request.fields)).toString('hex'), v.request.hex);
  });

  it('the activated response carries a ticket that verifies against the root key', () => {
    const v = kmsTestVectors();
    const m = decodeKmsFrame(fromHex(v.activatedResponse.hex, 'vector'));
    assert.ok(m.type === 'response' && m.response.activated && m.response.ticket);
    assert.equal(m.response.count, 5);
    const q = decodeKmsFrame(fromHex(v.activatedResponse.request, 'vector'));
    assert.ok(q.type === 'request');
    verifyTicket(nodeEd25519, protocolTestVectors().keys.rootPublicKey, m.response.ticket, {
      cmid: q.request.cmid, hardwareHash: q.request.hardwareHash, edition: q.request.edition, nonce: q.request.nonce, now: KMS_VECTOR_NOW,
    });
    assert.equal(m.response.ticket.hostCertificate?.body.serial, vectorHost().certificate.body.serial);
  });

  it('the below-threshold response is a count, and each error frame names its catalogue code', () => {
    const v = kmsTestVectors();
    const below = decodeKmsFrame(fromHex(v.belowThresholdResponse.hex, 'vector'));
    assert.ok(below.type === 'response');
    assert.deepEqual([below.response.count, below.response.activated, below.response.ticket], [1, false, undefined]);
    for (const [code, hex] of Object.entries(v.errors)) {
      const e = decodeKmsFrame(fromHex(hex, 'vector'));
      assert.ok(e.type === 'error', code);
      assert.equal(e.error.code, code);
    }
  });
});
