// The KMS host's ticket signer: the host key (through the injected Ed25519) plus its certificate.
import type { Ed25519 } from '../crypto/signer';
import { sha256 } from '../crypto/sha256';
import type { HostCertificate } from '../tickets/certificate';
import { signTicketBatchByHost, signTicketByHost } from '../tickets/ticket';
import type { Sha256 } from '../tickets/ticket-batch';
import type { KmsTicketSigner } from './host-handler';

/** A signer for one host key and certificate; `hash` builds batch roots (the core's SHA-256 when absent). */
export function hostTicketSigner(crypto: Ed25519, hostPrivateKey: string, certificate: HostCertificate, hash: Sha256 = sha256): KmsTicketSigner {
  return {
    sign: (body) => signTicketByHost(crypto, hostPrivateKey, certificate, body),
    signBatch: (bodies) => signTicketBatchByHost(crypto, hash, hostPrivateKey, certificate, bodies),
  };
}
