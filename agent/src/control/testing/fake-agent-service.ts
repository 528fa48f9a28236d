// A small in-memory AgentService for tests of the control server, the client and UIs (the
// extension). It follows the rules loosely; the real daemon implements them exactly.
import {
  LicenseStatusCode,
  NotificationMethods,
  VactError,
  toWireTime,
  type AgentEvent,
  type AgentService,
  type CallerContext,
  type ControlNotification,
  type ControlParams,
  type LicenseStatus,
  type StatusResult,
} from '@vact/shared';

const DAY = 86_400_000;

/** The fake's mutable state, visible to tests. */
export interface FakeAgentState {
  now: number;
  status: LicenseStatus;
  keyType: 'kms-client' | 'mak' | null;
  partialKey: string | null;
  channel: 'MAK' | 'offline' | null;
  graceEndsAt: number | null;
  remainingRearms: number;
  cmid: string;
  events: AgentEvent[];
  calls: { method: string; role: string }[];
}

/** An AgentService over FakeAgentState; `emit` pushes a notification to the server. */
export class FakeAgentService implements AgentService {
  readonly state: FakeAgentState;
  private readonly listeners = new Set<(n: ControlNotification) => void>();
  /** When set, the next call of this method waits for the returned promise (tests of concurrency/timeouts). */
  delay: Promise<void> | null = null;

  constructor(start = Date.parse('2026-11-27T00:00:00.000Z')) {
    this.state = {
      now: start,
      status: 'InitialGrace',
      keyType: 'kms-client',
      partialKey: 'KMSCL',
      channel: null,
      graceEndsAt: start + 30 * DAY,
      remainingRearms: 3,
      cmid: '0123456789abcdef0123456789abcdef',
      events: [],
      calls: [],
    };
  }

  /** Sends a notification to everyone listening. */
  emit(n: ControlNotification): void {
    for (const l of this.listeners) l(n);
  }

  onNotification(listener: (n: ControlNotification) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  private async enter(method: string, ctx: CallerContext): Promise<void> {
    this.state.calls.push({ method, role: ctx.role });
    if (this.delay) await this.delay;
  }

  private snapshot(verbose = false): StatusResult {
    const s = this.state;
    const remainingMs = s.graceEndsAt === null ? null : Math.max(0, s.graceEndsAt - s.now);
    return {
      status: s.status,
      statusCode: LicenseStatusCode[s.status],
      edition: 'enterprise',
      editionName: 'Lab OS Enterprise',
      product: 'lab-os',
      description: `Lab OS Enterprise, ${s.keyType === 'mak' ? 'VOLUME_MAK' : 'VOLUME_KMSCLIENT'} channel`,
      channel: s.channel,
      keyType: s.keyType,
      keyGroup: s.keyType ? 'client-vl' : null,
      partialKey: s.partialKey,
      cmid: s.cmid,
      hardwareHash: 'ab'.repeat(16),
      graceEndsAt: toWireTime(s.graceEndsAt),
      validUntil: null,
      lastActivatedAt: null,
      remainingMs,
      remainingRearms: s.remainingRearms,
      lastError: null,
      nextAttemptAt: null,
      intervals: { activationMinutes: 120, renewalMinutes: 10080, source: 'default' },
      now: toWireTime(s.now),
      trustedTime: toWireTime(s.now),
      clock: 'sim',
      ...(verbose ? { details: { agentVersion: '0.0.0-fake', failures: 0, lastReminderAt: null, kmsHost: null, authorityUrl: null, hardwareSource: 'fake' } } : {}),
    };
  }

  private log(eventId: number, message: string): void {
    const event: AgentEvent = { seq: this.state.events.length + 1, eventId, time: toWireTime(this.state.now), level: 'info', message };
    this.state.events.push(event);
    this.emit({ method: NotificationMethods.eventLogged, params: { event } });
  }

  private setStatus(next: LicenseStatus, reason: string): void {
    const previous = this.state.status;
    this.state.status = next;
    if (previous !== next) this.emit({ method: NotificationMethods.stateChanged, params: { previous, status: this.snapshot(), reason } });
  }

  async handshake(_p: ControlParams<'handshake'>, ctx: CallerContext) {
    await this.enter('handshake', ctx);
    return { agentVersion: '0.0.0-fake', clock: 'sim' as const, edition: 'enterprise', cmid: this.state.cmid };
  }
  async status(p: ControlParams<'status'>, ctx: CallerContext) {
    await this.enter('status', ctx);
    return this.snapshot(p.verbose === true);
  }
  async expiry(_p: ControlParams<'expiry'>, ctx: CallerContext) {
    await this.enter('expiry', ctx);
    const s = this.snapshot();
    const kind = s.status === 'Licensed' ? ('permanent' as const) : s.graceEndsAt ? ('grace' as const) : ('none' as const);
    return { status: s.status, statusCode: s.statusCode, kind, expiresAt: kind === 'grace' ? s.graceEndsAt : null, remainingMs: kind === 'grace' ? s.remainingMs : null };
  }
  async activate(_p: ControlParams<'activate'>, ctx: CallerContext) {
    await this.enter('activate', ctx);
    if (this.state.keyType === null) throw new VactError('NO_KEY_INSTALLED');
    if (this.state.keyType === 'kms-client') throw new VactError('NO_KMS_HOST', 'no KMS host is set and no SRV records were found');
    this.state.channel = 'MAK';
    this.state.graceEndsAt = null;
    this.log(12289, 'MAK activation succeeded');
    this.setStatus('Licensed', 'activated');
    return this.snapshot();
  }
  async keyInstall(p: ControlParams<'key.install'>, ctx: CallerContext) {
    await this.enter('keyInstall', ctx);
    if (!/^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/i.test(p.key)) throw new VactError('INVALID_KEY', 'expected 25 characters in five groups of five');
    this.state.keyType = 'mak';
    this.state.partialKey = p.key.slice(-5).toUpperCase();
    return {
      key: { type: 'mak' as const, group: 'client-vl', partialKey: this.state.partialKey },
      activation: { attempted: false, succeeded: false, error: null },
      status: this.snapshot(),
    };
  }
  async keyUninstall(_p: ControlParams<'key.uninstall'>, ctx: CallerContext) {
    await this.enter('keyUninstall', ctx);
    this.state.keyType = null;
    this.state.partialKey = null;
    this.state.channel = null;
    this.state.graceEndsAt = null;
    this.setStatus('Unlicensed', 'key removed');
    return this.snapshot();
  }
  async rearm(_p: ControlParams<'rearm'>, ctx: CallerContext) {
    await this.enter('rearm', ctx);
    if (this.state.remainingRearms === 0) throw new VactError('REARM_LIMIT_REACHED');
    this.state.remainingRearms--;
    this.state.graceEndsAt = this.state.now + 30 * DAY;
    return this.snapshot();
  }
  async offlineIid(_p: ControlParams<'offline.iid'>, ctx: CallerContext) {
    await this.enter('offlineIid', ctx);
    if (this.state.keyType !== 'mak') throw new VactError('WRONG_CHANNEL');
    return { installationId: '123456-123456-123456', edition: 'enterprise', partialKey: this.state.partialKey ?? '' };
  }
  async offlineConfirm(p: ControlParams<'offline.confirm'>, ctx: CallerContext) {
    await this.enter('offlineConfirm', ctx);
    if (p.confirmationId !== 'GOOD') throw new VactError('INVALID_CONFIRMATION_ID', 'the check digits do not match');
    this.state.channel = 'offline';
    this.setStatus('Licensed', 'offline confirmation installed');
    return this.snapshot();
  }
  async eventsQuery(p: ControlParams<'events.query'>, ctx: CallerContext) {
    await this.enter('eventsQuery', ctx);
    const since = p.since ? Date.parse(p.since) : p.withinMs !== undefined ? this.state.now - p.withinMs : -Infinity;
    const events = this.state.events.filter((e) => Date.parse(e.time) >= since && (!p.eventIds || p.eventIds.includes(e.eventId)));
    return { events: events.slice(-(p.limit ?? 100)) };
  }
  async hardwareRescan(_p: ControlParams<'hardware.rescan'>, ctx: CallerContext) {
    await this.enter('hardwareRescan', ctx);
    return { hardwareHash: 'ab'.repeat(16), previousHardwareHash: 'ab'.repeat(16), withinTolerance: true, changedComponents: [], status: this.snapshot() };
  }
  async clockNow(_p: ControlParams<'clock.now'>, ctx: CallerContext) {
    await this.enter('clockNow', ctx);
    return { now: toWireTime(this.state.now), trustedTime: toWireTime(this.state.now), clock: 'sim' as const };
  }
  async clockAdvance(p: ControlParams<'clock.advance'>, ctx: CallerContext) {
    await this.enter('clockAdvance', ctx);
    this.state.now += p.ms;
    if (this.state.graceEndsAt !== null && this.state.now >= this.state.graceEndsAt && this.state.status === 'InitialGrace') {
      this.setStatus('Notification', 'grace expired');
    }
    return { now: toWireTime(this.state.now), trustedTime: toWireTime(this.state.now), clock: 'sim' as const };
  }
  // The KMS methods are the real daemon's; the fake answers them with an explicit refusal.
  private async noKms(method: string, ctx: CallerContext): Promise<never> {
    await this.enter(method, ctx);
    throw new VactError('FEATURE_UNAVAILABLE', `the test agent has no KMS settings (${method})`);
  }
  kmsSet(_p: ControlParams<'kms.set'>, ctx: CallerContext) { return this.noKms('kmsSet', ctx); }
  kmsClear(_p: ControlParams<'kms.clear'>, ctx: CallerContext) { return this.noKms('kmsClear', ctx); }
  kmsIntervals(_p: ControlParams<'kms.intervals'>, ctx: CallerContext) { return this.noKms('kmsIntervals', ctx); }
  kmsPort(_p: ControlParams<'kms.port'>, ctx: CallerContext) { return this.noKms('kmsPort', ctx); }
  kmsDomainAdd(_p: ControlParams<'kms.domain.add'>, ctx: CallerContext) { return this.noKms('kmsDomainAdd', ctx); }
  kmsDomainRemove(_p: ControlParams<'kms.domain.remove'>, ctx: CallerContext) { return this.noKms('kmsDomainRemove', ctx); }
  kmsDomainList(_p: ControlParams<'kms.domain.list'>, ctx: CallerContext) { return this.noKms('kmsDomainList', ctx); }
  kmsShow(_p: ControlParams<'kms.show'>, ctx: CallerContext) { return this.noKms('kmsShow', ctx); }
  hostStatus(_p: ControlParams<'host.status'>, ctx: CallerContext) { return this.noKms('hostStatus', ctx); }
  hostClients(_p: ControlParams<'host.clients'>, ctx: CallerContext) { return this.noKms('hostClients', ctx); }
}
