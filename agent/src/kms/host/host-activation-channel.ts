// A KMS host's own activation: the authority certifies the host's key (DESIGN §5). The
// certificate is verified — chain to the authority key, our public key, hardware, edition, key
// group — before the outcome is reported, so nothing unverified reaches the state.
import { VactError, hostCertificateToText, verifyHostCertificate, type CatalogueClaim } from '@vact/shared/licensing';
import { AuthorityClient, nodeEd25519 } from '@vact/shared/node';
import type { ActivationChannel, ActivationRequest, ChannelOutcome } from '../../activation/channel';
import { ensureHostKeyPair } from './host-identity';

const TIMEOUT_MS = 15_000;
const CERT_ERRORS = new Set(['INVALID_SIGNATURE', 'TICKET_MISMATCH', 'CERTIFICATE_EXPIRED', 'INVALID_ENCODING']);

/** The host key's activation against the authority, claiming the host's catalogue like every activation. */
export class KmsHostActivationChannel implements ActivationChannel {
  readonly name = 'KMS host';
  private readonly client: AuthorityClient;

  constructor(
    private readonly url: string, private readonly authorityKey: string, private readonly catalogue: CatalogueClaim,
    private readonly stateDir: string, private readonly now: () => number, ca?: Buffer,
  ) {
    this.client = new AuthorityClient({ url, timeoutMs: TIMEOUT_MS, ...(ca ? { ca } : {}) });
  }

  target(): string {
    return this.url;
  }

  async activate(req: ActivationRequest, signal: AbortSignal): Promise<ChannelOutcome> {
    if (req.key.type !== 'kms-host') return { ok: false, error: new VactError('WRONG_CHANNEL', `the installed ${req.key.type} key is not a KMS host key`) };
    // Only a MAK is ever kept sealed instead of in clear; a host key always travels as itself.
    if (req.key.key === null) return { ok: false, error: new VactError('INTERNAL', 'the KMS host key is not in the state') };
    const key = req.key.key;
    try {
      const pair = ensureHostKeyPair(this.stateDir);
      const res = await this.client.activateKmsHost({ key, hostPublicKey: pair.publicKey, hardwareHash: req.hardwareHash, edition: req.edition, ...this.catalogue }, signal);
      const cert = res.certificate;
      verifyHostCertificate(nodeEd25519, this.authorityKey, cert, this.now());
      const b = cert.body;
      if (b.hostPublicKey !== pair.publicKey || b.hostHardwareHash !== req.hardwareHash || b.hostEdition !== req.edition || b.hostKeyGroup !== req.key.group) {
        return { ok: false, error: new VactError('TICKET_MISMATCH', 'the host certificate names another key, hardware, edition or key group'), ticketRejected: true };
      }
      return {
        ok: true, channel: 'KMS-host', validUntil: null, ticketText: hostCertificateToText(cert),
        message: `KMS host activated with host key ${req.key.partialKey} (certificate ${b.serial}, valid until ${new Date(b.validUntil).toISOString()})`,
        data: { channel: 'KMS-host', partialKey: req.key.partialKey, serial: b.serial, validUntil: new Date(b.validUntil).toISOString(), activations: res.activations, activationsRemaining: res.activationsRemaining, hosts: res.hosts },
      };
    } catch (err) {
      const error = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.message ?? String(err));
      return { ok: false, error, ticketRejected: CERT_ERRORS.has(error.code) };
    }
  }
}
