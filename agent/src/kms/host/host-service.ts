// The KMS host role, standalone: the pure handler behind the TCP listener, its state persisted by
// the count store. The composition root gives it the clock, catalogue, host status and signer, and
// logs its events; it holds no lock of the license engine (requests never touch the client state).
import {
  currentCount, decideKmsRequest, encodeKmsError, encodeKmsResponse, liveEntries, type KmsClientRecord, type KmsHostDecision, type KmsHostResult, type KmsHostState, type KmsResponse, type KmsTicketSigner,
} from '@vact/shared/kms';
import { VactError, type Catalogue, type Clock, type HostCertificate, type TicketBody } from '@vact/shared/licensing';
import { CountStore, loadHostState } from './count-store';
import { KmsListener, type KmsListenerOptions, type KmsRefusal } from './listener';
import { TicketBatcher, type TicketSigningStats } from './ticket-batcher';

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
  /** Longest a batch-signed ticket waits for requests already on their way (ms, default 1; 0: only this turn's). */
  batchWaitMs?: number;
}

export interface KmsHostStatus {
  listening: { host: string; port: number } | undefined;
  count: number;
  cacheSize: number;
  highestThreshold: number;
  requests: { total: number; byResult: Partial<Record<KmsHostResult, number>>; refused: Record<KmsRefusal, number> };
  /** Tickets signed and the signatures they took (fewer when clients take batch-signed tickets). */
  signing: TicketSigningStats;
}

export class KmsHostService {
  private state: KmsHostState;
  private readonly store: CountStore;
  private readonly listener: KmsListener;
  private readonly batcher: TicketBatcher;
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
        const d = decideKmsRequest(this.state, q, {
          catalogue: opts.catalogue, now: opts.clock.now(), hostLicensed: self.licensed, certificate: self.certificate,
          activationIntervalMinutes: self.activationIntervalMinutes, renewalIntervalMinutes: self.renewalIntervalMinutes, sourceAddress: meta.remoteAddress,
        });
        if (d.state !== this.state) {
          this.state = d.state;
          this.store.update(d.state);
        }
        this.total++;
        this.byResult[d.event.result] = (this.byResult[d.event.result] ?? 0) + 1;
        opts.onRequest?.(d.event, meta.remoteAddress, performance.now() - meta.acceptedAt);
        if (d.reply.type === 'error') return encodeKmsError(d.reply.error);
        return d.toSign ? this.signed(d.reply.response, d.toSign, self.signer, q.batchTickets === true) : encodeKmsResponse(d.reply.response);
      },
    });
    const listener = this.listener;
    this.batcher = new TicketBatcher(() => listener.awaitingRequests, opts.batchWaitMs);
  }

  /** The response with its ticket: signed now, or in a batch when the client takes batch-signed tickets. */
  private signed(response: KmsResponse, body: TicketBody, signer: KmsTicketSigner | undefined, batch: boolean): Uint8Array | Promise<Uint8Array> {
    // The handler activates only with a certificate, and the host has one only with its key.
    if (!signer) throw new VactError('KMS_HOST_NOT_ACTIVATED', 'the host has no signing key');
    // The response is this request's own (the handler made it): the ticket goes in, no copy (docs/architecture.md, "No spread copies").
    if (!batch) {
      response.ticket = this.batcher.signNow(signer, body);
      return encodeKmsResponse(response);
    }
    return this.batcher.sign(signer, body).then((ticket) => {
      response.ticket = ticket;
      return encodeKmsResponse(response);
    });
  }

  async start(): Promise<{ host: string; port: number }> {
    this.bound = await this.listener.start();
    return this.bound;
  }

  /** Stops listening and writes the count. */
  async stop(): Promise<void> {
    await this.listener.close();
    this.batcher.dispose();
    this.bound = undefined;
    this.store.flush();
  }

  status(): KmsHostStatus {
    const now = this.opts.clock.now();
    const life = { lifetimeDays: this.opts.catalogue.rules.cmidCacheLifetimeDays };
    return {
      listening: this.bound, count: currentCount(this.state.count, now, life), cacheSize: this.state.count.capacity, highestThreshold: this.state.count.highestThreshold,
      requests: { total: this.total, byResult: { ...this.byResult }, refused: { ...this.listener.stats.refused } },
      signing: { ...this.batcher.stats },
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
