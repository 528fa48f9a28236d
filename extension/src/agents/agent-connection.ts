// One configured agent: keeps a control API connection up (reconnecting with backoff), holds
// the last status the agent pushed, and forwards actions. Plain TypeScript, no vscode.
import type { z } from 'zod';
import type { AgentEvent, ControlMethodName, ControlParamsInput, ControlResult, HostClientsResult, HostStatusResult, KmsShowResult, StatusResult } from '@vact/shared';
import type { ReminderPayloadSchema } from '@vact/shared';
import { kmsRefreshWanted, kmsRoleOf } from './kms-data';
import { backoffDelay } from './backoff';
import type { Connector, RpcConnection } from './control-connection';
import { Emitter, type Disposable } from './emitter';

/** An agent as configured: a stable id, a display name and its control API URL. */
export interface AgentConfig {
  id: string;
  name: string;
  url: string;
  /** A lab machine's role and edition, as `vact lab` named them (display only). */
  lab?: { role: string; edition: string };
}

export type ConnectionKind = 'connecting' | 'online' | 'offline';

export interface AgentSnapshot {
  config: AgentConfig;
  kind: ConnectionKind;
  role: 'user' | 'admin' | null;
  status: StatusResult | null;
  /** Why the agent is offline (the last connect error), when it is. */
  error: string | null;
  events: AgentEvent[];
  /** `kms.show` of a KMS client (null for other agents or before it is read). */
  kms: KmsShowResult | null;
  /** `host.status` and `host.clients` of a KMS host (null for other agents). */
  host: { status: HostStatusResult; clients: HostClientsResult['clients'] } | null;
}

export type Reminder = z.infer<typeof ReminderPayloadSchema>;

export interface ConnectionDeps {
  connect: Connector;
  clientName: string;
  setTimer?: (fn: () => void, ms: number) => Disposable;
  backoff?: { initialMs: number; maxMs: number; random?: () => number };
  /** How long pushed changes must be quiet before the KMS data is read again (default 150 ms). */
  rereadDelayMs?: number;
}

const MAX_EVENTS = 200;
const REREAD_DELAY_MS = 150;
const defaultTimer = (fn: () => void, ms: number): Disposable => {
  const h = setTimeout(fn, ms);
  return { dispose: () => clearTimeout(h) };
};

export class AgentConnection implements Disposable {
  private rpc: RpcConnection | null = null;
  private snapshotValue: AgentSnapshot;
  private attempt = 0;
  private timer: Disposable | null = null;
  private disposed = false;
  /** One KMS read at a time; a change while one runs asks for one more after it. */
  private kmsReading: Promise<void> | null = null;
  private kmsAgain = false;
  /** A re-read after pushed changes waits for a quiet moment, so a burst (a clock jump) costs one. */
  private rereadTimer: Disposable | null = null;
  private rereadStatus = false;
  private readonly changed = new Emitter<AgentSnapshot>();
  private readonly reminded = new Emitter<Reminder>();
  /** Fires on every change of connection, status or event log. */
  readonly onDidChange = this.changed.event;
  /** Fires on reminders pushed by the agent. */
  readonly onReminder = this.reminded.event;

  constructor(
    config: AgentConfig,
    private token: string,
    private readonly deps: ConnectionDeps,
  ) {
    this.snapshotValue = { config, kind: 'connecting', role: null, status: null, error: null, events: [], kms: null, host: null };
  }

  get snapshot(): AgentSnapshot {
    return this.snapshotValue;
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (!this.rpc && !this.timer && !this.disposed) void this.connectOnce();
  }

  /** New name or token: reconnects when the token changed. */
  update(config: AgentConfig, token: string): void {
    const reconnect = token !== this.token || config.url !== this.snapshotValue.config.url;
    this.token = token;
    this.set({ config });
    if (reconnect) this.reconnectNow();
  }

  /** Drops the connection (if any) and connects again at once. */
  reconnectNow(): void {
    this.timer?.dispose();
    this.timer = null;
    this.attempt = 0;
    const old = this.rpc;
    this.rpc = null;
    if (old) void old.close();
    void this.connectOnce();
  }

  /** Calls a control API method; refreshes the status after anything that changes it. */
  async call<M extends ControlMethodName>(method: M, params?: ControlParamsInput<M>): Promise<ControlResult<M>> {
    const rpc = this.rpc;
    if (!rpc) throw new Error(`${this.snapshotValue.config.name} is offline${this.snapshotValue.error ? `: ${this.snapshotValue.error}` : ''}`);
    const result = await rpc.call(method, params);
    if (method !== 'status' && method !== 'events.query' && method !== 'expiry' && method !== 'offline.iid' && method !== 'clock.now') {
      await this.refresh();
    }
    return result;
  }

  /** Re-reads the verbose status and recent events. */
  async refresh(): Promise<void> {
    const rpc = this.rpc;
    if (!rpc) return;
    const [status, events] = await Promise.all([rpc.call('status', { verbose: true }), rpc.call('events.query', { limit: 50 })]);
    if (this.rpc !== rpc) return;
    this.set({ status, events: events.events });
    await this.readKms();
  }

  /** After pushed changes: reads the KMS data (and the verbose status when asked) once the agent has been quiet briefly. */
  private rereadSoon(status: boolean): void {
    this.rereadStatus ||= status;
    if (this.rereadTimer) return;
    this.rereadTimer = (this.deps.setTimer ?? defaultTimer)(() => {
      this.rereadTimer = null;
      const withStatus = this.rereadStatus;
      this.rereadStatus = false;
      const rpc = this.rpc;
      if (!rpc || this.disposed) return;
      if (!withStatus) {
        void this.readKms();
        return;
      }
      void rpc.call('status', { verbose: true }).then((st) => {
        if (this.rpc !== rpc) return;
        this.set({ status: st });
        return this.readKms();
      }, () => undefined);
    }, this.deps.rereadDelayMs ?? REREAD_DELAY_MS);
  }

  /**
   * Re-reads the KMS client settings (`kms.show`) or the KMS host's status and clients, as the
   * status says the agent is one; runs when the agent pushes a change that touches them.
   */
  readKms(): Promise<void> {
    if (this.kmsReading) {
      this.kmsAgain = true;
      return this.kmsReading;
    }
    const run = async (): Promise<void> => {
      do {
        this.kmsAgain = false;
        const rpc = this.rpc;
        const role = kmsRoleOf(this.snapshotValue.status);
        if (!rpc) return;
        try {
          if (role === 'client') {
            const kms = await rpc.call('kms.show');
            if (this.rpc === rpc) this.set({ kms, host: null });
          } else if (role === 'host') {
            const [status, clients] = await Promise.all([rpc.call('host.status'), rpc.call('host.clients')]);
            if (this.rpc === rpc) this.set({ host: { status, clients: clients.clients }, kms: null });
          } else if (this.snapshotValue.kms || this.snapshotValue.host) {
            this.set({ kms: null, host: null });
          }
        } catch {
          // An agent without the KMS methods (older) or a host key whose listener is not up: the sections stay as they were.
        }
      } while (this.kmsAgain);
    };
    this.kmsReading = run().finally(() => (this.kmsReading = null));
    return this.kmsReading;
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.timer = null;
    this.rereadTimer?.dispose();
    this.rereadTimer = null;
    const rpc = this.rpc;
    this.rpc = null;
    if (rpc) void rpc.close();
    this.changed.dispose();
    this.reminded.dispose();
  }

  private set(patch: Partial<AgentSnapshot>): void {
    this.snapshotValue = { ...this.snapshotValue, ...patch };
    if (!this.disposed) this.changed.fire(this.snapshotValue);
  }

  private async connectOnce(): Promise<void> {
    if (this.disposed) return;
    this.timer = null;
    if (this.snapshotValue.kind !== 'online') this.set({ kind: 'connecting' });
    let rpc: RpcConnection;
    try {
      rpc = await this.deps.connect({ url: this.snapshotValue.config.url, token: this.token, clientName: this.deps.clientName, connectTimeoutMs: 5000 });
    } catch (err) {
      this.fail((err as Error).message);
      return;
    }
    if (this.disposed || this.rpc) {
      void rpc.close();
      return;
    }
    this.rpc = rpc;
    rpc.onClose(() => {
      if (this.rpc !== rpc) return;
      this.rpc = null;
      this.fail('the connection closed');
    });
    rpc.onNotification((n) => {
      if (this.rpc !== rpc) return;
      if (n.method === 'license.stateChanged') {
        const details = n.params.status.details ?? this.snapshotValue.status?.details;
        this.set({ status: { ...n.params.status, ...(details ? { details } : {}) } });
        this.rereadSoon(false);
      } else if (n.method === 'license.reminder') {
        this.reminded.fire(n.params);
        // The verbose status carries the reminder slot just used, which the next reminder is computed from.
        this.rereadSoon(true);
      } else if (n.method === 'event.logged') {
        this.set({ events: [...this.snapshotValue.events, n.params.event].slice(-MAX_EVENTS) });
        if (kmsRefreshWanted(n.params.event.eventId)) this.rereadSoon(false);
      }
    });
    try {
      await rpc.subscribe(['state', 'reminder', 'event']);
      const [status, events] = await Promise.all([rpc.call('status', { verbose: true }), rpc.call('events.query', { limit: 50 })]);
      if (this.rpc !== rpc) return;
      this.attempt = 0;
      this.set({ kind: 'online', role: rpc.role, status, events: events.events, error: null });
      await this.readKms();
    } catch (err) {
      if (this.rpc === rpc) {
        this.rpc = null;
        void rpc.close();
        this.fail((err as Error).message);
      }
    }
  }

  private fail(message: string): void {
    if (this.disposed) return;
    this.set({ kind: 'offline', error: message });
    const delay = backoffDelay(this.attempt++, this.deps.backoff ?? { initialMs: 500, maxMs: 30_000 });
    this.timer = (this.deps.setTimer ?? defaultTimer)(() => void this.connectOnce(), delay);
  }
}
