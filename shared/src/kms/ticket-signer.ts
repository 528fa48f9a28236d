// The KMS host's ticket signer: the host key (through the injected Ed25519) plus its certificate.
import type { Ed25519 } from '../crypto/signer';
import type { HostCertificate } from '../tickets/certificate';
import { signTicketByHost } from '../tickets/ticket';
import type { KmsTicketSigner } from './host-handler';

export function hostTicketSigner(crypto: Ed25519, hostPrivateKey: string, certificate: HostCertificate): KmsTicketSigner {
  return { sign: (body) => signTicketByHost(crypto, hostPrivateKey, certificate, body) };
}
