// A KMS host for tests: the real pure handler behind the real TCP listener, with a fixed authority
// root and host certificate (server-b host key), on any 127.0.0.x address.
import {
  emptyHostCount, encodeKmsError, encodeKmsResponse, handleKmsRequest, hostTicketSigner,
  referenceCatalogue, signHostCertificate, VactError, type Clock, type KmsHostState, type KmsRequest,
} from '@vact/shared';
import { ed25519KeyPairFromSeed, nodeEd25519 } from '@vact/shared/node';
import { KmsListener, type KmsListenerOptions } from '@vact/agent/kms';

const seed = (first: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => first + i);
export const ROOT = ed25519KeyPairFromSeed(seed(0x00));
const HOST = ed25519KeyPairFromSeed(seed(0x20));

/** An authority that is not ours: a host certified by it is a rogue host. */
export const ROGUE_ROOT = ed25519KeyPairFromSeed(seed(0x80));

export function hostCertificate(now: number, rootPrivateKey = ROOT.privateKey) {
  return signHostCertificate(nodeEd25519, rootPrivateKey, {
    version: 1, serial: 'test-host', hostPublicKey: HOST.publicKey, hostKeyGroup: 'server-b', hostHardwareHash: 'hosthw',
    hostEdition: 'server-enterprise', issuedAt: now - 60_000, validUntil: now + 365 * 86_400_000,
  });
}

export class TestKmsHost {
  state: KmsHostState = { count: emptyHostCount(), clients: new Map() };
  readonly listener: KmsListener;
  handled = 0;

  /** Requests that asked for batch tickets (a host older than them refuses those, see `legacy`). */
  batchAsked = 0;
  /** Behave like a host that predates batch-signed tickets: refuse flag bit 1 as an unknown bit, as its decoder did. */
  legacy = false;

  constructor(readonly clock: Clock, host: string, port = 0, over: Partial<KmsListenerOptions> = {}, rootPrivateKey = ROOT.privateKey) {
    const catalogue = referenceCatalogue();
    const certificate = hostCertificate(clock.now(), rootPrivateKey);
    const signer = hostTicketSigner(nodeEd25519, HOST.privateKey, certificate);
    this.listener = new KmsListener({
      host, port, clock, ...over,
      handle: (q: KmsRequest, meta) => {
        this.handled++;
        if (q.batchTickets) {
          this.batchAsked++;
          if (this.legacy) throw new VactError('INVALID_ENCODING', 'KMS request: flags at byte 61 has unknown bits 0x2');
        }
        const d = handleKmsRequest(this.state, q, {
          catalogue, now: clock.now(), hostLicensed: true, certificate, activationIntervalMinutes: 120, renewalIntervalMinutes: 10_080, signer, sourceAddress: meta.remoteAddress,
        });
        this.state = d.state;
        return d.reply.type === 'response' ? encodeKmsResponse(d.reply.response) : encodeKmsError(d.reply.error);
      },
    });
  }
}

let n = 0;
/** A fresh request for `edition`; every call a new CMID and nonce. */
export function request(edition: string, now: number, cmidByte?: number): KmsRequest {
  n++;
  const id = (cmidByte ?? n).toString(16).padStart(8, '0');
  return {
    cmid: `${id}${'a'.repeat(24)}`, nonce: `${n.toString(16).padStart(8, '0')}${'b'.repeat(24)}`, clientTime: now, edition, vm: false,
    licenseStatus: 'InitialGrace', remainingGraceMinutes: 40_000, machineName: `pc-${cmidByte ?? n}`, hardwareHash: `hw-${cmidByte ?? n}`,
  };
}
