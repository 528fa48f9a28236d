'use strict';
// The KMS host identity the KMS benches sign with: a root and a host key from fixed seeds, a host
// certificate valid a year around now, and the signer the agent's host role would pick.

/** The bench host's certificate and ticket signer (libsodium when sodium-native is installed; VACT_KMS_SIGNER=node forces node:crypto). */
function benchHostIdentity() {
  const shared = { ...require('@vact/shared'), ...require('@vact/shared/node') };
  const { hostEd25519 } = require('../agent/dist/kms/host/host-ed25519');
  const seed = (f) => Uint8Array.from({ length: 32 }, (_, i) => f + i);
  const root = shared.ed25519KeyPairFromSeed(seed(0));
  const host = shared.ed25519KeyPairFromSeed(seed(0x20));
  const now = Date.now();
  const certificate = shared.signHostCertificate(shared.nodeEd25519, root.privateKey, {
    version: 1, serial: 'bench', hostPublicKey: host.publicKey, hostKeyGroup: 'server-b', hostHardwareHash: 'hw', hostEdition: 'server-enterprise',
    issuedAt: now - 60_000, validUntil: now + 365 * 86_400_000,
  });
  const h = hostEd25519();
  return { certificate, signer: shared.hostTicketSigner(h.crypto, host.privateKey, certificate, h.sha256), implementation: h.implementation };
}

module.exports = { benchHostIdentity };
