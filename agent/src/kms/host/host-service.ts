// The KMS host role, standalone: the pure handler behind the TCP listener, its state persisted by
// the count store. The composition root gives it the clock, catalogue, host status and signer, and
// logs its events; it holds no lock of the license engine (requests never touch the client state).
import {
  currentCount, encodeKmsError, encodeKmsResponse, handleKmsRequest, liveEntries, type KmsClientRecord, type KmsHostDecision, type KmsHostResult, type KmsHostState, type KmsTicketSigner,
} from '@vact/shared/kms';
import { type Catalogue, type Clock, type HostCertificate } from '@vact/shared/licensing';
import { CountStore, loadHostState } from './count-store';
import { KmsListener, type KmsListenerOptions, type KmsRefusal } from './listener';

/** What the host knows about itself, read at every request (it changes with key install, activation, grace). */
export interface HostSelf {
  licensed: boolean;
  certificate: HostCertificate | undefined;
  signer: KmsTicketSigner | undefined;
  activationIntervalMinutes: number;
  renewalIntervalMinutes: number;
}

export interface KmsHostServiceOptions {
  clock: Clock;
  /** Real time for socket deadlines and the store's write batching, even when `clock` is simulated; `clock` when absent. */
  timerClock?: Clock;
  catalogue: Catalogue;
  /** Where the count and client register persist (e.g. STATE_DIR/kms-host.json). */
  stateFile: string;
  self(): HostSelf;
  listen: { host: string; port: number };
  /** Event 12290, one per request answered. */
  onRequest?: (event: KmsHostDecision['event'], remoteAddress: string, latencyMs: number) => void;
  onRefused?: (reason: KmsRefusal, remoteAddress: string, detail: string) => void;
  onStoreError?: (err: Error) => void;
  listener?: Partial<Pick<KmsListenerOptions, 'requestTimeoutMs' | 'idleTimeoutMs' | 'maxConnections'>>;
}

export interface KmsHostStatus {
  listening: { host: string; port: number } | undefined;
  count: number;
  cacheSize: number;
  highestThreshold: number;
  requests: { total: number; byResult: Partial<Record<KmsHostResult, number>>; refused: Record<KmsRefusal, number> };
}

export class KmsHostService {
  private state: KmsHostState;
  private readonly store: CountStore;
  private readonly listener: KmsListener;
  private bound: { host: string; port: number } | undefined;
  private total = 0;
  private readonly byResult: Partial<Record<KmsHostResult, number>> = {};

  constructor(private readonly opts: KmsHostServiceOptions) {
    this.state = loadHostState(opts.stateFile);
    this.store = new CountStore(opts.stateFile, opts.timerClock ?? opts.clock, opts.onStoreError);
    this.listener = new KmsListener({
      ...opts.listen, ...opts.listener, clock: opts.timerClock ?? opts.clock, onRefused: opts.onRefused,
      handle: (q, meta) => {
        const self = opts.self();
        const d = handleKmsRequest(this.state, q, {
          catalogue: opts.catalogue, now: opts.clock.now(), hostLicensed: self.licensed, certificate: self.certificate,
          activationIntervalMinutes: self.activationIntervalMinutes, renewalIntervalMinutes: self.renewalIntervalMinutes,
          // Without a signer the handler refuses before signing (no certificate → not activated).
          signer: self.signer ?? { sign: () => { throw new Error('no host key'); } }, sourceAddress: meta.remoteAddress,
        });
        if (d.state !== this.state) {
          this.state = d.state;
          this.store.update(d.state);
        }
        this.total++;
        this.byResult[d.event.result] = (this.byResult[d.event.result] ?? 0) + 1;
        opts.onRequest?.(d.event, meta.remoteAddress, performance.now() - meta.acceptedAt);
        return d.reply.type === 'response' ? encodeKmsResponse(d.reply.response) : encodeKmsError(d.reply.error);
      },
    });
  }

  async start(): Promise<{ host: string; port: number }> {
    this.bound = await this.listener.start();
    return this.bound;
  }

  /** Stops listening and writes the count. */
  async stop(): Promise<void> {
    await this.listener.close();
    this.bound = undefined;
    this.store.flush();
  }

  status(): KmsHostStatus {
    const now = this.opts.clock.now();
    const life = { lifetimeDays: this.opts.catalogue.rules.cmidCacheLifetimeDays };
    return {
      listening: this.bound, count: currentCount(this.state.count, now, life), cacheSize: this.state.count.capacity, highestThreshold: this.state.count.highestThreshold,
      requests: { total: this.total, byResult: { ...this.byResult }, refused: { ...this.listener.stats.refused } },
    };
  }

  /** `vact host clients`: every live CMID, newest first. */
  clients(): KmsClientRecord[] {
    const now = this.opts.clock.now();
    return liveEntries(this.state.count, now, { lifetimeDays: this.opts.catalogue.rules.cmidCacheLifetimeDays })
      .map((e) => this.state.clients.get(e.cmid))
      .filter((c): c is KmsClientRecord => c !== undefined);
  }
}
