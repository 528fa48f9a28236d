import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeEd25519 } from '../../node/node-ed25519';
import { decodeConfirmationId } from '../../offline/confirmation-id';
import { decodeInstallationId } from '../../offline/installation-id';
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
    const fields = decodeInstallationId(v.offline.installationId, [], v.offline.editionIds);
    assert.deepEqual(fields, v.offline.fields);
    const offline = decodeConfirmationId(v.offline.confirmationId.join('\n'));
    verifyTicket(nodeEd25519, v.keys.rootPublicKey, offline, { ...fields, nonce: v.offline.nonce, now: v.offline.ticketBody.issuedAt });
  });
});
