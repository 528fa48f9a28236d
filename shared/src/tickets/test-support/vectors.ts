// Deterministic test vectors (docs/protocol.md, "Test vectors"): fixed seeds and fields in, exact bytes out.
// The docs quote the output of protocolTestVectors(); vectors.test.ts fails when the two drift apart.
import { ed25519KeyPairFromSeed, nodeEd25519 } from '../../node/node-ed25519';
import { encodeConfirmationId } from '../../offline/confirmation-id';
import { encodeRawProductKey, productKeyBody } from '../../keys/product-key';
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { decodeInstallationId, encodeInstallationId, installationIdNonce, installationIdPayload } from '../../offline/installation-id';
import { bindKeyOf, makProof, sealParts, sealProductKey } from '../../offline/sealed-key';
import { signedMessage } from '../canonical-bytes';
import { encodeHostCertificate, encodeHostCertificateBody, HOST_CERTIFICATE_TAG, signHostCertificate, type HostCertificateBody } from '../certificate';
import { encodeTicket, encodeTicketBody, signTicketBatchByHost, signTicketByAuthority, signTicketByHost, TICKET_TAG, type TicketBody } from '../ticket';
import { batchLeafHash, batchRootMessage, merkleTree } from '../ticket-batch';
import { sha256 } from '../../crypto/sha256';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const seed = (first: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => first + i);

/** The seeds, bodies and editions the vectors are made from. */
export const VECTOR_INPUTS = {
  rootSeedHex: hex(seed(0x00)),
  hostSeedHex: hex(seed(0x20)),
  editionIds: ['client-pro', 'client-enterprise', 'server-standard', 'server-enterprise', 'server-datacenter'],
  certificate: {
    version: 1, serial: 'c0ffee00c0ffee00', hostKeyGroup: 'server-b', hostHardwareHash: '00112233445566778899aabbccddeeff',
    hostEdition: 'server-enterprise', issuedAt: 1795000000000, validUntil: 1795000000000 + 2 * 365 * 86_400_000,
  } satisfies Omit<HostCertificateBody, 'hostPublicKey'>,
  kmsTicket: {
    version: 1, cmid: '0123456789abcdef0123456789abcdef', hardwareHash: 'fedcba9876543210fedcba9876543210', edition: 'client-pro',
    channel: 'KMS', partialKey: 'T4W6Q', issuedAt: 1795000600000, validUntil: 1795000600000 + 180 * 86_400_000,
    nonce: '5f2b9c0e7d1a4b3c8e6f0a1b2c3d4e5f', issuer: 'kms-host',
  } satisfies TicketBody,
  installation: {
    // A MAK (type code 2) of the catalogue's second group, serial 0x123456789abc.
    key: encodeRawProductKey({ version: 1, typeCode: 2, groupIndex: 1, serial: 0x123456789abcn }), hardwareHash: 'fedcba9876543210fedcba9876543210',
    edition: 'server-standard', cmid: '89abcdef0123456789abcdef01234567',
    /** The seal's ephemeral X25519 secret (random in real use, fixed here). */
    ephemeralSecretHex: hex(seed(0x40)),
  },
  offlineIssuedAt: 1795001200000,
};

const machineOf = (m: { cmid: string; hardwareHash: string; edition: string }) => ({ cmid: m.cmid, hardwareHash: m.hardwareHash, edition: m.edition });

/** Everything docs/protocol.md quotes in its test-vector block. */
export function protocolTestVectors() {
  const root = ed25519KeyPairFromSeed(seed(0x00));
  const host = ed25519KeyPairFromSeed(seed(0x20));
  const certBody: HostCertificateBody = { ...VECTOR_INPUTS.certificate, version: 1, hostPublicKey: host.publicKey };
  const cert = signHostCertificate(nodeEd25519, root.privateKey, certBody);
  const kms = signTicketByHost(nodeEd25519, host.privateKey, cert, VECTOR_INPUTS.kmsTicket);
  const batchBodies: TicketBody[] = [0, 1, 2].map((i) => ({
    ...VECTOR_INPUTS.kmsTicket, cmid: VECTOR_INPUTS.kmsTicket.cmid.slice(0, 30) + `e${i}`, nonce: VECTOR_INPUTS.kmsTicket.nonce.slice(0, 30) + `a${i}`,
  }));
  const batch = signTicketBatchByHost(nodeEd25519, sha256, host.privateKey, cert, batchBodies);
  const leaves = batchBodies.map((b) => batchLeafHash(sha256, signedMessage(TICKET_TAG, encodeTicketBody(b))));
  const tree = merkleTree(sha256, leaves);
  const inst = VECTOR_INPUTS.installation;
  const seal = sealProductKey(inst.key, root.publicKey, seed(0x40));
  const installationId = encodeInstallationId({ seal, cmid: inst.cmid, hardwareHash: inst.hardwareHash, edition: inst.edition }, VECTOR_INPUTS.editionIds);
  const decoded = decodeInstallationId(installationId, VECTOR_INPUTS.editionIds);
  const nonce = installationIdNonce(decoded, VECTOR_INPUTS.editionIds);
  const offline = signTicketByAuthority(nodeEd25519, root.privateKey, {
    version: 1, cmid: inst.cmid, hardwareHash: inst.hardwareHash, edition: inst.edition, channel: 'offline',
    partialKey: inst.key.slice(-5), issuedAt: VECTOR_INPUTS.offlineIssuedAt, validUntil: null, nonce, issuer: 'authority',
  });
  return {
    keys: {
      rootSeed: VECTOR_INPUTS.rootSeedHex, rootPublicKey: root.publicKey, rootPublicKeyHex: hex(Buffer.from(root.publicKey, 'base64')),
      hostSeed: VECTOR_INPUTS.hostSeedHex, hostPublicKey: host.publicKey, hostPublicKeyHex: hex(Buffer.from(host.publicKey, 'base64')),
    },
    certificate: {
      body: certBody,
      bodyHex: hex(encodeHostCertificateBody(certBody)),
      signedMessageHex: hex(signedMessage(HOST_CERTIFICATE_TAG, encodeHostCertificateBody(certBody))),
      signature: cert.signature,
      encodedHex: hex(encodeHostCertificate(cert)),
    },
    kmsTicket: {
      body: kms.body,
      bodyHex: hex(encodeTicketBody(kms.body)),
      signedMessageHex: hex(signedMessage(TICKET_TAG, encodeTicketBody(kms.body))),
      signature: kms.signature,
      encodedHex: hex(encodeTicket(kms)),
    },
    kmsTicketBatch: {
      bodies: batchBodies.map((b) => ({ cmid: b.cmid, nonce: b.nonce })),
      leafHashesHex: leaves.map(hex),
      rootHex: hex(tree.root),
      rootMessageHex: hex(batchRootMessage(batchBodies.length, tree.root)),
      signature: batch[0].signature,
      paths: batch.map((t) => ({ index: t.batch!.index, size: t.batch!.size, pathHex: t.batch!.path.map(hex) })),
      lastEncodedHex: hex(encodeTicket(batch[2])),
    },
    offline: {
      editionIds: VECTOR_INPUTS.editionIds,
      key: inst.key,
      keyBodyHex: hex(productKeyBody(inst.key)),
      ephemeralSecret: inst.ephemeralSecretHex,
      authorityX25519PublicKeyHex: hex(ed25519.utils.toMontgomery(Buffer.from(root.publicKey, 'base64'))),
      sharedSecretHex: hex(x25519.getSharedSecret(seed(0x40), ed25519.utils.toMontgomery(Buffer.from(root.publicKey, 'base64')))),
      seal,
      payloadHex: hex(installationIdPayload(decoded, VECTOR_INPUTS.editionIds)),
      installationId,
      decoded,
      makProof: { request: { ...machineOf(inst), nonce: VECTOR_INPUTS.kmsTicket.nonce }, proof: makProof(bindKeyOf(seal), sealParts(seal), { ...machineOf(inst), nonce: VECTOR_INPUTS.kmsTicket.nonce }) },
      nonce,
      ticketBody: offline.body,
      ticketEncodedHex: hex(encodeTicket(offline)),
      confirmationId: encodeConfirmationId(offline).split('\n'),
    },
  };
}
