// Deterministic KMS wire test vectors (docs/protocol.md, "KMS wire test vectors"): fixed keys, state
// and requests in, exact frames out, made by the real host handler. kms-vectors.test.ts fails when
// the docs and the code drift apart.
import { referenceCatalogue } from '../../../catalogue/catalogue';
import { ed25519KeyPairFromSeed, nodeEd25519 } from '../../../node/node-ed25519';
import { VactError } from '../../../errors/error-codes';
import { signHostCertificate, type HostCertificate } from '../../../tickets/certificate';
import { VECTOR_INPUTS } from '../../../tickets/test-support/vectors';
import { emptyHostCount } from '../../host-count';
import { handleKmsRequest, type KmsHostContext, type KmsHostState } from '../../host-handler';
import { hostTicketSigner } from '../../ticket-signer';
import { toHex } from '../../../crypto/sha256';
import { encodeKmsError, encodeKmsRequest, encodeKmsResponse, kmsErrorFrom, ZERO_NONCE, type KmsRequest } from '../messages';

const seed = (first: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => first + i);
/** Host time of every vector: 10 minutes after the certificate was issued. */
export const KMS_VECTOR_NOW = 1795000600000;

/** The host certificate of the ticket vectors (server-b host key: covers client-vl, server-a, server-b). */
export function vectorHost(): { certificate: HostCertificate; privateKey: string } {
  const root = ed25519KeyPairFromSeed(seed(0x00));
  const host = ed25519KeyPairFromSeed(seed(0x20));
  const certificate = signHostCertificate(nodeEd25519, root.privateKey, { ...VECTOR_INPUTS.certificate, version: 1, hostPublicKey: host.publicKey });
  return { certificate, privateKey: host.privateKey };
}

/** The request of the vectors; `n` varies the CMID's last byte for the earlier machines. */
export function vectorRequest(edition: string, n = 0): KmsRequest {
  return {
    cmid: `0123456789abcdef0123456789abcd${n.toString(16).padStart(2, '0')}`, nonce: '5f2b9c0e7d1a4b3c8e6f0a1b2c3d4e5f', clientTime: KMS_VECTOR_NOW - 1500,
    edition, vm: true, licenseStatus: 'InitialGrace', remainingGraceMinutes: 43_000, machineName: 'lab-pc-07', hardwareHash: 'fedcba9876543210fedcba9876543210',
  };
}

export function vectorContext(over: Partial<KmsHostContext> = {}): KmsHostContext {
  const h = vectorHost();
  return {
    catalogue: referenceCatalogue(), now: KMS_VECTOR_NOW, hostLicensed: true, certificate: h.certificate,
    activationIntervalMinutes: 120, renewalIntervalMinutes: 10_080, signer: hostTicketSigner(nodeEd25519, h.privateKey, h.certificate),
    sourceAddress: '127.0.0.1', ...over,
  };
}

function replyHex(state: KmsHostState, q: KmsRequest, ctx: KmsHostContext): string {
  const d = handleKmsRequest(state, q, ctx);
  return toHex(d.reply.type === 'response' ? encodeKmsResponse(d.reply.response) : encodeKmsError(d.reply.error));
}

/** Everything docs/protocol.md quotes in its KMS test-vector block. */
export function kmsTestVectors() {
  const ctx = vectorContext();
  // A host state is used once (its count is updated in place): every vector starts from a fresh one.
  const fresh = (): KmsHostState => ({ count: emptyHostCount(), clients: new Map() });
  // Four other server machines asked a minute earlier: the fifth request reaches the server threshold.
  let four = fresh();
  for (let n = 1; n <= 4; n++) four = handleKmsRequest(four, vectorRequest('server-standard', n), { ...ctx, now: KMS_VECTOR_NOW - 60_000 }).state;
  const client = vectorRequest('client-professional');
  const server = vectorRequest('server-standard');
  const bad = (err: VactError): string => toHex(encodeKmsError(kmsErrorFrom(err, ZERO_NONCE, KMS_VECTOR_NOW)));
  return {
    request: { fields: client, hex: toHex(encodeKmsRequest(client)) },
    belowThresholdResponse: { note: 'client-professional, first machine: count 1 of 25', hex: replyHex(fresh(), client, ctx) },
    activatedResponse: { note: 'server-standard, fifth machine: count 5 of 5, ticket signed by the host', request: toHex(encodeKmsRequest(server)), hex: replyHex(four, server, ctx) },
    errors: {
      KMS_HOST_NOT_ACTIVATED: replyHex(fresh(), client, { ...ctx, hostLicensed: false }),
      PRODUCT_NOT_COVERED_BY_HOST: replyHex(fresh(), vectorRequest('server-datacenter'), ctx),
      UNKNOWN_EDITION: replyHex(fresh(), vectorRequest('no-such-edition'), ctx),
      CLOCK_SKEW: replyHex(fresh(), { ...client, clientTime: KMS_VECTOR_NOW - 5 * 3_600_000 }, ctx),
      INVALID_ENCODING: bad(new VactError('INVALID_ENCODING', 'KMS frame: byte 0 is 0x47, not the magic "VK"')),
      VERSION_MISMATCH: bad(new VactError('VERSION_MISMATCH', 'KMS frame: wire version 2 (this build speaks version 1)')),
      PAYLOAD_TOO_LARGE: bad(new VactError('PAYLOAD_TOO_LARGE', 'KMS frame: 5000 bytes, the limit is 1024')),
      KMS_HOST_BUSY: bad(new VactError('KMS_HOST_BUSY')),
      KMS_EXCHANGE_TIMEOUT: bad(new VactError('KMS_EXCHANGE_TIMEOUT', 'the request did not arrive within 5000 ms')),
    },
  };
}
