// Keeps a KMS host's SRV and A records in DNS (DESIGN §3): publish when the host starts serving,
// re-publish every 24 hours on the keyed scheduler, withdraw on key uninstall. A refusal
// (REFUSED, NOTAUTH, a bad TSIG) is kept for `vact host status` and logged; the host keeps serving.
// DNS messages carry real time (TSIG is checked against the server's clock), so they use the
// real clock even when the agent runs on a simulated one; only the refresh schedule is the agent's.
import * as os from 'node:os';
import { VactError, toWireTime, type Clock } from '@vact/shared/licensing';
import type { KeyedScheduler } from '../../scheduler/keyed-scheduler';
import { publishSrv, srvName, withdrawSrv, type SrvPublication } from './srv-update';
import { readTsigKeyFile } from './tsig-key';

/** The refresh interval (DESIGN §3: every 24 hours). */
export const SRV_REFRESH_MS = 24 * 3_600_000;
const JOB = 'dns-publish';
const TTL_S = 600;

export interface DnsPublisherOptions {
  zone: string;
  server: { host: string; port: number };
  tsigKeyFile: string;
  priority: number;
  weight: number;
  /** The agent clock (refresh schedule, status times). */
  clock: Clock;
  /** Real time for TSIG and socket deadlines. */
  realClock: Clock;
  scheduler: KeyedScheduler;
  log: (level: 'info' | 'warn', message: string, data: Record<string, unknown>) => void;
  /** The SRV target name; `<short hostname>.<zone>` when absent. */
  target?: string;
}

/** What `vact host status` shows about DNS publishing. */
export interface DnsPublishStatus {
  zone: string;
  server: string;
  record: string;
  target: string;
  state: 'pending' | 'published' | 'failed' | 'withdrawn';
  lastAttemptAt: string | null;
  lastPublishedAt: string | null;
  nextRefreshAt: string | null;
  lastError: { code: string; message: string } | null;
}

/** The address a record should carry for a listener bound to `host`. */
export function publishedAddress(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export class DnsPublisher {
  private readonly target: string;
  private published: { address: string; port: number } | null = null;
  private readonly abort = new AbortController();
  private running: Promise<void> = Promise.resolve();
  private st: Omit<DnsPublishStatus, 'nextRefreshAt'>;

  constructor(private readonly o: DnsPublisherOptions) {
    const short = os.hostname().split('.')[0].toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'kms';
    this.target = o.target ?? `${short}.${o.zone}`;
    this.st = { zone: o.zone, server: `${o.server.host}:${o.server.port}`, record: srvName(o.zone), target: this.target, state: 'pending', lastAttemptAt: null, lastPublishedAt: null, lastError: null };
  }

  status(): DnsPublishStatus {
    return { ...this.st, nextRefreshAt: toWireTime(this.o.scheduler.next(JOB)) };
  }

  /** Publishes now for a host listening on address:port, then every 24 hours. */
  start(address: string, port: number): Promise<void> {
    this.published = { address, port };
    return this.serial(() => this.publishNow());
  }

  /** Stops refreshing and removes this host's SRV record (the A record stays: other records may name it). */
  withdraw(): Promise<void> {
    this.o.scheduler.schedule(JOB, null, () => undefined);
    const p = this.published;
    this.published = null;
    if (!p) return this.running;
    return this.serial(async () => {
      try {
        await withdrawSrv({ zone: this.o.zone, target: this.target, port: p.port, priority: this.o.priority, weight: this.o.weight }, this.updateOptions());
        this.st = { ...this.st, state: 'withdrawn', lastError: null };
        this.o.log('info', `withdrew ${this.st.record} → ${this.target}:${p.port}`, { zone: this.o.zone });
      } catch (err) {
        this.fail(err, 'withdraw');
      }
    });
  }

  /** Aborts an update in flight and stops the refresh (the record stays: the host may be restarting). */
  async dispose(): Promise<void> {
    this.o.scheduler.schedule(JOB, null, () => undefined);
    this.abort.abort();
    await this.running.catch(() => undefined);
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    this.running = this.running.then(fn, fn);
    return this.running;
  }

  private updateOptions() {
    return { server: this.o.server, key: readTsigKeyFile(this.o.tsigKeyFile), clock: this.o.realClock, signal: this.abort.signal };
  }

  private async publishNow(): Promise<void> {
    const p = this.published;
    if (!p || this.abort.signal.aborted) return;
    this.st = { ...this.st, lastAttemptAt: toWireTime(this.o.clock.now()) };
    // The next refresh is armed first: a failure is retried on the same 24-hour rhythm.
    this.o.scheduler.schedule(JOB, this.o.clock.now() + SRV_REFRESH_MS, () => this.serial(() => this.publishNow()));
    const pub: SrvPublication = { zone: this.o.zone, target: this.target, address: p.address, port: p.port, priority: this.o.priority, weight: this.o.weight, ttl: TTL_S };
    try {
      await publishSrv(pub, this.updateOptions());
      this.st = { ...this.st, state: 'published', lastPublishedAt: toWireTime(this.o.clock.now()), lastError: null };
      this.o.log('info', `published ${this.st.record} → ${this.target}:${p.port} (${p.address})`, { zone: this.o.zone, server: this.st.server });
    } catch (err) {
      this.fail(err, 'publish');
    }
  }

  private fail(err: unknown, what: string): void {
    if (this.abort.signal.aborted) return;
    const e = err instanceof VactError ? err : new VactError('DNS_UPDATE_REFUSED', (err as Error)?.message ?? String(err));
    this.st = { ...this.st, state: 'failed', lastError: { code: e.code, message: e.message } };
    this.o.log('warn', `DNS ${what} of ${this.st.record} failed: ${e.message}`, { code: e.code, zone: this.o.zone, server: this.st.server });
  }
}
