// The client lifecycle as a pure function: (state, event, now) -> (state', effects, nextWake)
// (DESIGN §4). No I/O and no timers: the agent persists, contacts, reminds and wakes at
// nextWake. Every rule of DESIGN §3 it implements is listed in docs/lifecycle.md.
import { isPermanentFailure, retryDelayMs } from './retry';
import type { CatalogueRules } from '../catalogue/types';
import { VactError } from '../errors/error-codes';
import { KeyTypeSchema, type ActivationChannel, type KeyType } from './license-schemas';
import { EventIds } from './event-ids';
import { defaultIntervals, hostPushedIntervals, validateIntervalMinutes } from './intervals';
import { DAY_MS, MINUTE_MS, dueReminderSlot, nextReminderAt } from './reminders';
import type { HostIntervals, InstalledKey, LifecycleEffect, LifecycleEvent, LifecycleState, StepResult, SuspendedGrace } from './types';

export * from './event-ids';
export { clampIntervalMinutes, defaultIntervals, hostPushedIntervals, validateIntervalMinutes } from './intervals';
export { dueReminderSlot, nextReminderAt, reminderSlots } from './reminders';

/** A clock further back than this behind trusted time is reported as a rollback (NTP steps are smaller). */
export const ROLLBACK_REPORT_SLACK_MS = MINUTE_MS;

const KEY_TYPES: readonly KeyType[] = KeyTypeSchema.options;
const CHANNELS: readonly ActivationChannel[] = ['KMS', 'MAK', 'offline', 'KMS-host'];
const MAX_ERROR_MESSAGE = 500;

/** A machine with no key: Unlicensed, the catalogue's rearms and default intervals. */
export function initialState(edition: string, rules: CatalogueRules, now: number): LifecycleState {
  checkTime(now);
  return {
    edition,
    key: null,
    status: 'Unlicensed',
    graceEndsAt: null,
    channel: null,
    validUntil: null,
    lastActivatedAt: null,
    remainingRearms: rules.rearmLimit,
    intervals: defaultIntervals(rules),
    nextAttemptAt: null,
    failures: 0,
    lastError: null,
    lastReminderAt: null,
    trustedNow: now,
    graceStartedAt: null,
    notificationSince: null,
    suspendedGrace: null,
    kmsCount: null,
    lastAttemptAt: null,
    adminIntervals: null,
    rollbackLogged: false,
    switching: null,
  };
}

/** The effect that activates a key: a KMS client asks a KMS host; a MAK or KMS host key asks the authority. */
export function contactFor(keyType: KeyType): 'contact-kms' | 'contact-authority' {
  return keyType === 'kms-client' ? 'contact-kms' : 'contact-authority';
}

/** When the state next needs a step: the earliest of next attempt, next reminder slot, grace end and validity end. */
export function nextWakeOf(state: LifecycleState): number | null {
  const times: number[] = [];
  if (state.key && state.nextAttemptAt !== null) times.push(state.nextAttemptAt);
  const reminder = nextReminderAt(state, state.trustedNow);
  if (reminder !== null) times.push(reminder);
  if ((state.status === 'InitialGrace' || state.status === 'OutOfToleranceGrace') && state.graceEndsAt !== null) times.push(state.graceEndsAt);
  if (state.status === 'Licensed' && state.validUntil !== null) times.push(state.validUntil);
  return times.length > 0 ? Math.min(...times) : null;
}

/** Throws VactError (e.g. REARM_LIMIT_REACHED) for events refused in this state; never does I/O. */
export function step(state: LifecycleState, event: LifecycleEvent, now: number, rules: CatalogueRules): StepResult {
  checkTime(now);
  const effects: LifecycleEffect[] = [];
  const m = new Step({ ...state }, rules, effects, Math.max(now, state.trustedNow));
  m.noteClock(now, state.trustedNow);
  m.advanceDeadlines();
  m.apply(event);
  m.advanceDeadlines();
  if (event.type === 'tick' || event.type === 'start') m.attemptIfDue(event.type === 'start');
  m.remindIfDue();
  const next = m.s;
  if (JSON.stringify(next) !== JSON.stringify(state)) effects.push({ type: 'persist' });
  return { state: next, effects, nextWake: nextWakeOf(next) };
}

function checkTime(now: number): void {
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new VactError('INVALID_REQUEST', `the lifecycle time must be a finite number of ms since the epoch (got ${String(now)})`);
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** One step's working state: `s` is a private copy, effects are appended in order. */
class Step {
  constructor(public s: LifecycleState, private readonly rules: CatalogueRules, private readonly effects: LifecycleEffect[], private readonly t: number) {
    this.s.trustedNow = t;
  }

  private get graceMs(): number {
    return this.rules.graceDays * DAY_MS;
  }

  private log(name: keyof typeof EventIds, message: string, data?: Record<string, unknown>): void {
    this.effects.push({ type: 'log', eventId: EventIds[name], message, ...(data ? { data } : {}) });
  }

  /** Clock rollback: logged once per episode; deadlines already use max(now, trustedNow). */
  noteClock(now: number, trusted: number): void {
    if (now < trusted - ROLLBACK_REPORT_SLACK_MS) {
      if (!this.s.rollbackLogged) {
        this.s.rollbackLogged = true;
        this.log('clockRollback', `the clock reads ${iso(now)}, before the trusted time ${iso(trusted)}; grace and validity are counted from the trusted time`, { clock: now, trusted });
      }
    } else if (now >= trusted && this.s.rollbackLogged) {
      this.s.rollbackLogged = false;
    }
  }

  private beginGrace(status: 'InitialGrace' | 'OutOfToleranceGrace', start: number, why: string): void {
    const s = this.s;
    s.status = status;
    s.graceStartedAt = start;
    s.graceEndsAt = start + this.graceMs;
    s.notificationSince = null;
    s.lastReminderAt = null;
    s.channel = null;
    s.validUntil = null;
    s.switching = null;
    this.log('graceStarted', `${status} started (${why}): ${this.rules.graceDays} days, ends ${iso(s.graceEndsAt)}`, { status, graceStartedAt: start, graceEndsAt: s.graceEndsAt, reason: why });
  }

  /** Deadlines that passed, in order: KMS validity lapses into grace, grace ends in Notification. */
  advanceDeadlines(): void {
    const s = this.s;
    if (s.status === 'Licensed' && s.validUntil !== null && s.validUntil <= this.t) {
      const lapsed = s.validUntil;
      this.log('validityLapsed', `KMS activation validity ended ${iso(lapsed)} without a renewal`, { validUntil: lapsed });
      this.beginGrace('OutOfToleranceGrace', lapsed, 'KMS validity lapsed');
      s.kmsCount = null;
      if (s.nextAttemptAt === null) s.nextAttemptAt = this.t;
    }
    if ((s.status === 'InitialGrace' || s.status === 'OutOfToleranceGrace') && s.graceEndsAt !== null && s.graceEndsAt <= this.t) {
      const ended = s.graceEndsAt;
      this.log('notification', `the grace period ended ${iso(ended)} without activation: Notification state`, { previous: s.status, graceEndedAt: ended });
      s.status = 'Notification';
      s.notificationSince = ended;
      s.graceEndsAt = null;
      s.graceStartedAt = null;
    }
  }

  /** Asks for a contact now; the fallback retry comes one activation interval later if no outcome is reported. */
  private attempt(): void {
    const s = this.s;
    if (!s.key) return;
    this.effects.push({ type: contactFor(s.key.type) });
    s.lastAttemptAt = this.t;
    s.nextAttemptAt = this.t + s.intervals.activationMinutes * MINUTE_MS;
  }

  attemptIfDue(atStart: boolean): void {
    const s = this.s;
    if (!s.key) return;
    const due = s.nextAttemptAt !== null && s.nextAttemptAt <= this.t;
    // A (re)started agent tries at once while not activated (any attempt in flight was lost) or
    // while it switches channels, unless the last answer was a permanent refusal: that waits for
    // an administrator.
    const waiting = s.lastError !== null && s.failures > 0 && isPermanentFailure(s.lastError.code, s.key.type);
    if (due || (atStart && (s.status !== 'Licensed' || s.switching) && !waiting)) this.attempt();
  }

  remindIfDue(): void {
    const s = this.s;
    const slot = dueReminderSlot(s, this.t);
    if (slot === null) return;
    s.lastReminderAt = slot;
    const remainingMs = s.graceEndsAt !== null && s.status !== 'Notification' ? Math.max(0, s.graceEndsAt - this.t) : 0;
    this.effects.push({ type: 'reminder', remainingMs, status: s.status });
  }

  apply(event: LifecycleEvent): void {
    if (!event || typeof event !== 'object') throw new VactError('INVALID_REQUEST', 'a lifecycle event must be an object');
    switch (event.type) {
      case 'start':
      case 'tick':
        return;
      case 'key-installed':
        return this.keyInstalled(event.key);
      case 'key-removed':
        return this.keyRemoved();
      case 'activation-succeeded':
        return this.succeeded(event);
      case 'activation-failed':
        return this.failed(event);
      case 'hardware-rescanned':
        return this.hardware(event.withinTolerance);
      case 'rearm':
        return this.rearm();
      case 'intervals-changed':
        return this.intervalsChanged(event);
      default:
        throw new VactError('INVALID_REQUEST', `unknown lifecycle event type ${JSON.stringify((event as { type?: unknown }).type)}`);
    }
  }

  private keyInstalled(key: InstalledKey): void {
    if (!key || typeof key !== 'object' || typeof key.key !== 'string' || typeof key.partialKey !== 'string' || typeof key.group !== 'string' || !KEY_TYPES.includes(key.type)) {
      throw new VactError('INVALID_KEY', 'the installed key must carry key, type (kms-client, kms-host or mak), group and partialKey');
    }
    const s = this.s;
    // A MAK kept only sealed is recognised by what is left of it in clear: type, group and partial key.
    const same = s.key !== null && (s.key.key === null
      ? s.key.type === key.type && s.key.group === key.group && s.key.partialKey === key.partialKey
      : s.key.key === key.key);
    if (same && s.status === 'Licensed') return;
    const next = { key: key.key, type: key.type, group: key.group, partialKey: key.partialKey };
    if (s.status === 'Licensed') {
      // Switching channels (MAK on a KMS client, the setup key back): the old activation stands
      // until the new key's channel answers — success replaces it, a failure ends it (failed()).
      s.switching ??= { from: s.channel ?? 'KMS', since: this.t };
      this.log('channelSwitching', `a ${key.type} key was installed: still Licensed by ${s.switching.from} until its activation answers`, { from: s.switching.from, keyType: key.type, partialKey: key.partialKey });
      Object.assign(s, { key: next, suspendedGrace: null, failures: 0, lastError: null, kmsCount: null } satisfies Partial<LifecycleState>);
      this.attempt();
      return;
    }
    if (s.status === 'Unlicensed') this.resumeGrace(s.suspendedGrace ?? null);
    // In grace or Notification the deadline carries over: switching keys never buys time.
    s.key = next;
    s.suspendedGrace = null;
    s.channel = null;
    s.validUntil = null;
    s.kmsCount = null;
    s.failures = 0;
    s.lastError = null;
    this.attempt();
  }

  /** Restores the grace put aside at key removal, or starts the initial grace on a machine that never had one. */
  private resumeGrace(g: SuspendedGrace | null): void {
    const s = this.s;
    if (g === null) {
      this.beginGrace('InitialGrace', this.t, 'product key installed');
      return;
    }
    s.status = g.status;
    if (g.status === 'Notification') {
      s.notificationSince = g.startedAt ?? this.t;
      s.graceStartedAt = null;
      s.graceEndsAt = null;
    } else {
      s.graceStartedAt = g.startedAt;
      s.graceEndsAt = g.endsAt ?? this.t;
    }
  }

  private keyRemoved(): void {
    const s = this.s;
    if (!s.key) throw new VactError('NO_KEY_INSTALLED', 'there is no key to remove');
    let suspended: SuspendedGrace | null = null;
    if (s.status === 'InitialGrace' || s.status === 'OutOfToleranceGrace') suspended = { status: s.status, startedAt: s.graceStartedAt ?? null, endsAt: s.graceEndsAt };
    else if (s.status === 'Notification') suspended = { status: 'Notification', startedAt: s.notificationSince ?? null, endsAt: null };
    else if (s.status === 'Unlicensed') suspended = s.suspendedGrace ?? null;
    Object.assign(s, {
      key: null, status: 'Unlicensed', suspendedGrace: suspended, graceEndsAt: null, graceStartedAt: null, notificationSince: null,
      channel: null, validUntil: null, nextAttemptAt: null, failures: 0, lastError: null, kmsCount: null, switching: null,
    } satisfies Partial<LifecycleState>);
  }

  private applyHostIntervals(pushed: HostIntervals | undefined): void {
    if (!pushed || typeof pushed !== 'object') return;
    const s = this.s;
    const next = hostPushedIntervals(pushed, this.rules);
    if (next.activationMinutes !== s.intervals.activationMinutes || next.renewalMinutes !== s.intervals.renewalMinutes || s.intervals.source !== 'host') {
      this.log('hostIntervalsApplied', `the KMS host's intervals replace the client's own: activation ${next.activationMinutes} min, renewal ${next.renewalMinutes} min`, {
        activationMinutes: next.activationMinutes, renewalMinutes: next.renewalMinutes, previous: s.intervals,
      });
    }
    s.intervals = next;
  }

  private succeeded(event: Extract<LifecycleEvent, { type: 'activation-succeeded' }>): void {
    const s = this.s;
    if (!s.key) throw new VactError('NO_KEY_INSTALLED', 'an activation cannot succeed without a key');
    if (!CHANNELS.includes(event.channel)) throw new VactError('INVALID_REQUEST', `unknown activation channel ${JSON.stringify(event.channel)}`);
    const kms = event.channel === 'KMS';
    if (kms !== (s.key.type === 'kms-client') || (event.channel === 'KMS-host') !== (s.key.type === 'kms-host')) {
      throw new VactError('WRONG_CHANNEL', `a ${event.channel} activation does not apply to the installed ${s.key.type} key`);
    }
    if (kms) this.applyHostIntervals(event.hostIntervals);
    const ruleEnd = this.t + this.rules.kmsValidityDays * DAY_MS;
    // A signed ticket may grant less than the rule, never more.
    const ticketEnd = typeof event.validUntil === 'number' && event.validUntil > this.t && event.validUntil < ruleEnd ? event.validUntil : ruleEnd;
    Object.assign(s, {
      status: 'Licensed', channel: event.channel, lastActivatedAt: this.t, lastAttemptAt: this.t,
      validUntil: kms ? ticketEnd : null,
      nextAttemptAt: kms ? this.t + s.intervals.renewalMinutes * MINUTE_MS : null,
      failures: 0, lastError: null, graceEndsAt: null, graceStartedAt: null, notificationSince: null, suspendedGrace: null, lastReminderAt: null, switching: null,
      kmsCount: kms && isCount(event.count) ? event.count : null,
    } satisfies Partial<LifecycleState>);
  }

  private failed(event: Extract<LifecycleEvent, { type: 'activation-failed' }>): void {
    const s = this.s;
    if (!s.key) return; // an outcome for a key removed meanwhile changes nothing
    const code = typeof event.code === 'string' && event.code ? event.code.slice(0, 64) : 'INTERNAL';
    const message = typeof event.message === 'string' ? event.message.slice(0, MAX_ERROR_MESSAGE) : '';
    if (s.key.type === 'kms-client') {
      this.applyHostIntervals(event.hostIntervals);
      if (isCount(event.count)) s.kmsCount = event.count;
    }
    if (s.switching) {
      // The new channel decided "not activated": the old key's activation is given up, and the new
      // key has been unactivated since it was installed.
      const since = s.switching.since;
      this.beginGrace('InitialGrace', Math.min(since, this.t), `the ${s.key.type} key's activation failed (${code}) after a channel switch`);
      s.lastActivatedAt = null;
    }
    const renewal = s.status === 'Licensed';
    if (renewal && s.validUntil !== null && s.failures === 0) {
      this.log('renewalFailed', `KMS renewal failed (${code}); still Licensed until ${iso(s.validUntil)}, retrying every ${s.intervals.activationMinutes} min`, { code, validUntil: s.validUntil });
    }
    s.failures += 1;
    s.lastError = { code, message, at: this.t };
    s.lastAttemptAt = this.t;
    // A permanent activation has nothing to retry; a permanent refusal waits for an administrator;
    // anything else is tried again after the (backed-off, jittered) delay.
    if ((renewal && s.validUntil === null) || isPermanentFailure(code, s.key.type)) s.nextAttemptAt = null;
    else s.nextAttemptAt = this.t + retryDelayMs(s.key.type, s.failures, s.intervals.activationMinutes * MINUTE_MS, event.jitter);
  }

  private hardware(withinTolerance: boolean): void {
    if (typeof withinTolerance !== 'boolean') throw new VactError('INVALID_REQUEST', 'hardware-rescanned needs withinTolerance: true or false');
    const s = this.s;
    if (withinTolerance) return;
    // Beyond tolerance under the same CMID is what a cloned image looks like: this machine gets its
    // own CMID in the same commit as its new hardware, so no crash can leave the two mismatched.
    this.effects.push({ type: 'regenerate-cmid', reason: 'clone' });
    if (!s.key || s.status === 'Notification') return;
    if (s.status === 'Licensed') {
      this.beginGrace('OutOfToleranceGrace', this.t, 'hardware changed beyond tolerance');
      s.kmsCount = null;
    } else {
      // Already in grace: out of tolerance, but the deadline never moves later.
      s.status = 'OutOfToleranceGrace';
      s.graceEndsAt = Math.min(s.graceEndsAt ?? this.t + this.graceMs, this.t + this.graceMs);
    }
    s.failures = 0;
    s.lastError = null;
    this.attempt();
  }

  private rearm(): void {
    const s = this.s;
    if (s.remainingRearms <= 0) throw new VactError('REARM_LIMIT_REACHED', `all ${this.rules.rearmLimit} rearms of this installation are used`, { rearmLimit: this.rules.rearmLimit });
    s.remainingRearms -= 1;
    this.effects.push({ type: 'regenerate-cmid', reason: 'rearm' });
    if (s.intervals.source === 'host') {
      s.intervals = s.adminIntervals ? { ...s.adminIntervals, source: 'admin' } : defaultIntervals(this.rules);
    }
    Object.assign(s, { kmsCount: null, lastActivatedAt: null, failures: 0, lastError: null, suspendedGrace: null } satisfies Partial<LifecycleState>);
    if (!s.key) {
      // No key: the next key installed starts a fresh grace.
      return;
    }
    this.beginGrace('InitialGrace', this.t, `rearm (${s.remainingRearms} left)`);
    this.attempt();
  }

  private intervalsChanged(event: Extract<LifecycleEvent, { type: 'intervals-changed' }>): void {
    const s = this.s;
    if (event.activationMinutes === undefined && event.renewalMinutes === undefined) {
      throw new VactError('INVALID_CONFIG', 'give an activation interval, a renewal interval or both', { setting: 'intervals' });
    }
    const activationMinutes = event.activationMinutes === undefined ? s.intervals.activationMinutes : validateIntervalMinutes('activationMinutes', event.activationMinutes, this.rules);
    const renewalMinutes = event.renewalMinutes === undefined ? s.intervals.renewalMinutes : validateIntervalMinutes('renewalMinutes', event.renewalMinutes, this.rules);
    s.adminIntervals = { activationMinutes, renewalMinutes };
    s.intervals = { activationMinutes, renewalMinutes, source: 'admin' };
    this.log('intervalsChanged', `intervals set by the administrator: activation ${activationMinutes} min, renewal ${renewalMinutes} min`, { activationMinutes, renewalMinutes });
    if (s.nextAttemptAt === null || !s.key) return;
    const renewing = s.status === 'Licensed' && s.failures === 0;
    const base = renewing ? (s.lastActivatedAt ?? this.t) : (s.lastAttemptAt ?? this.t);
    s.nextAttemptAt = Math.max(this.t, base + (renewing ? renewalMinutes : activationMinutes) * MINUTE_MS);
  }
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}
