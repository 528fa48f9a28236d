// Every rule of DESIGN §3 that the client lifecycle implements, as a named unit test with no timers.
import assert from 'node:assert/strict';
import { referenceCatalogue } from '../catalogue/catalogue';
import { VactError } from '../errors/error-codes';
import { EventIds } from './event-ids';
import { initialState, nextWakeOf, step } from './machine';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './reminders';
import { KMS_KEY, MAK_KEY, OTHER_KMS_KEY, RULES } from './test-support/rules';
import { LicenseStatusCode, type LifecycleEffect, type LifecycleEvent, type LifecycleState, type StepResult } from './types';

const T0 = Date.UTC(2026, 10, 27, 9, 30, 0); // deliberately not on the hour

function run(state: LifecycleState, event: LifecycleEvent, now: number): StepResult {
  return step(state, event, now, RULES);
}
function has(effects: LifecycleEffect[], type: LifecycleEffect['type']): boolean {
  return effects.some((e) => e.type === type);
}
function logs(effects: LifecycleEffect[]): number[] {
  return effects.flatMap((e) => (e.type === 'log' ? [e.eventId] : []));
}
function reminders(effects: LifecycleEffect[]): Extract<LifecycleEffect, { type: 'reminder' }>[] {
  return effects.filter((e): e is Extract<LifecycleEffect, { type: 'reminder' }> => e.type === 'reminder');
}
/** A KMS client in initial grace since T0. */
function inGrace(key = KMS_KEY): LifecycleState {
  return run(initialState('client-enterprise', RULES, T0), { type: 'key-installed', key }, T0).state;
}
/** A KMS client activated at `at` (in grace since T0). */
function kmsLicensed(at = T0 + HOUR_MS): LifecycleState {
  return run(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: null, count: 25 }, at).state;
}

describe('lifecycle machine (DESIGN §3, §4)', () => {
  it('the reference catalogue carries the DESIGN §3 numbers these tests use', () => {
    assert.deepEqual(referenceCatalogue().rules, RULES);
  });

  it('rule: license status codes are 0 Unlicensed, 1 Licensed, 2 InitialGrace, 3 OutOfToleranceGrace, 5 Notification', () => {
    assert.deepEqual(LicenseStatusCode, { Unlicensed: 0, Licensed: 1, InitialGrace: 2, OutOfToleranceGrace: 3, Notification: 5 });
  });

  it('rule: a new machine has no key: Unlicensed, 3 rearms, intervals 2 hours / 7 days, nothing scheduled', () => {
    const s = initialState('client-enterprise', RULES, T0);
    assert.equal(s.status, 'Unlicensed');
    assert.equal(s.key, null);
    assert.equal(s.remainingRearms, 3);
    assert.deepEqual(s.intervals, { activationMinutes: 120, renewalMinutes: 7 * 24 * 60, source: 'default' });
    assert.equal(s.trustedNow, T0);
    assert.equal(nextWakeOf(s), null);
    const tick = run(s, { type: 'tick' }, T0 + DAY_MS);
    assert.deepEqual(tick.effects.filter((e) => e.type !== 'persist'), []);
    assert.equal(tick.nextWake, null);
  });

  it('rule: grace period is 30 days: installing the KMS client key starts InitialGrace and contacts the KMS host at once', () => {
    const r = run(initialState('client-enterprise', RULES, T0), { type: 'key-installed', key: KMS_KEY }, T0);
    assert.equal(r.state.status, 'InitialGrace');
    assert.equal(r.state.graceStartedAt, T0);
    assert.equal(r.state.graceEndsAt, T0 + 30 * DAY_MS);
    assert.ok(has(r.effects, 'contact-kms'));
    assert.ok(!has(r.effects, 'contact-authority'));
    assert.ok(has(r.effects, 'persist'));
    assert.ok(logs(r.effects).includes(EventIds.graceStarted));
    // The contact is in flight; the fallback retry is one activation interval later.
    assert.equal(r.state.nextAttemptAt, T0 + 2 * HOUR_MS);
  });

  it('rule: a MAK is activated against the authority at once', () => {
    const r = run(initialState('client-enterprise', RULES, T0), { type: 'key-installed', key: MAK_KEY }, T0);
    assert.equal(r.state.status, 'InitialGrace');
    assert.ok(has(r.effects, 'contact-authority'));
    assert.ok(!has(r.effects, 'contact-kms'));
  });

  it('rule: an agent (re)started while not activated attempts activation at once', () => {
    const r = run(inGrace(), { type: 'start' }, T0 + 10 * MINUTE_MS);
    assert.ok(has(r.effects, 'contact-kms'));
    assert.equal(r.state.nextAttemptAt, T0 + 10 * MINUTE_MS + 2 * HOUR_MS);
    // A licensed machine whose renewal is not due does not contact anyone on start.
    const lic = run(kmsLicensed(), { type: 'start' }, T0 + DAY_MS);
    assert.ok(!has(lic.effects, 'contact-kms'));
  });

  it('rule: KMS activation validity is 180 days from the last successful activation', () => {
    const at = T0 + 3 * HOUR_MS;
    const r = run(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: null, count: 30 }, at);
    assert.equal(r.state.status, 'Licensed');
    assert.equal(r.state.channel, 'KMS');
    assert.equal(r.state.validUntil, at + 180 * DAY_MS);
    assert.equal(r.state.lastActivatedAt, at);
    assert.equal(r.state.graceEndsAt, null);
    assert.equal(r.state.kmsCount, 30);
    assert.equal(r.state.failures, 0);
  });

  it('rule: a signed ticket may shorten KMS validity but never extend it beyond 180 days', () => {
    const at = T0 + HOUR_MS;
    const shorter = run(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: at + 10 * DAY_MS }, at);
    assert.equal(shorter.state.validUntil, at + 10 * DAY_MS);
    const longer = run(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: at + 400 * DAY_MS }, at);
    assert.equal(longer.state.validUntil, at + 180 * DAY_MS);
  });

  it('rule: KMS renewal interval is every 7 days, and a renewal restarts the 180 days', () => {
    const at = T0 + HOUR_MS;
    const lic = kmsLicensed(at);
    assert.equal(lic.nextAttemptAt, at + 7 * DAY_MS);
    assert.equal(nextWakeOf(lic), at + 7 * DAY_MS);
    const early = run(lic, { type: 'tick' }, at + 7 * DAY_MS - 1);
    assert.ok(!has(early.effects, 'contact-kms'));
    const due = run(lic, { type: 'tick' }, at + 7 * DAY_MS);
    assert.ok(has(due.effects, 'contact-kms'));
    const renewed = run(due.state, { type: 'activation-succeeded', channel: 'KMS', validUntil: null }, at + 7 * DAY_MS + 1000);
    assert.equal(renewed.state.validUntil, at + 7 * DAY_MS + 1000 + 180 * DAY_MS);
    assert.equal(renewed.state.nextAttemptAt, at + 14 * DAY_MS + 1000);
  });

  it('rule: KMS retry (activation) interval is every 2 hours while not activated, also below threshold, and the count is kept', () => {
    const s = inGrace();
    const failed = run(s, { type: 'activation-failed', code: 'KMS_COUNT_TOO_LOW', message: 'count 3 of 25', count: 3 }, T0 + MINUTE_MS);
    assert.equal(failed.state.status, 'InitialGrace');
    assert.equal(failed.state.nextAttemptAt, T0 + MINUTE_MS + 2 * HOUR_MS);
    assert.equal(failed.state.kmsCount, 3);
    assert.equal(failed.state.failures, 1);
    assert.deepEqual(failed.state.lastError, { code: 'KMS_COUNT_TOO_LOW', message: 'count 3 of 25', at: T0 + MINUTE_MS });
    const retry = run(failed.state, { type: 'tick' }, T0 + MINUTE_MS + 2 * HOUR_MS);
    assert.ok(has(retry.effects, 'contact-kms'));
    const again = run(retry.state, { type: 'activation-failed', code: 'KMS_HOST_UNREACHABLE', message: 'timeout' }, T0 + MINUTE_MS + 2 * HOUR_MS);
    assert.equal(again.state.failures, 2);
    assert.equal(again.state.kmsCount, 3, 'a reply without a count keeps the last one');
  });

  it('rule: after a failed renewal the client stays Licensed until validity ends, retrying every 2 hours', () => {
    const at = T0 + HOUR_MS;
    const lic = kmsLicensed(at);
    const renewAt = at + 7 * DAY_MS;
    const due = run(lic, { type: 'tick' }, renewAt);
    const failed = run(due.state, { type: 'activation-failed', code: 'KMS_HOST_UNREACHABLE', message: 'no answer' }, renewAt);
    assert.equal(failed.state.status, 'Licensed');
    assert.equal(failed.state.validUntil, at + 180 * DAY_MS);
    assert.equal(failed.state.nextAttemptAt, renewAt + 2 * HOUR_MS);
    assert.ok(logs(failed.effects).includes(EventIds.renewalFailed));
    const second = run(failed.state, { type: 'activation-failed', code: 'KMS_HOST_UNREACHABLE', message: 'no answer' }, renewAt + 2 * HOUR_MS);
    assert.ok(!logs(second.effects).includes(EventIds.renewalFailed), 'the renewal failure is logged once, not every retry');
    assert.equal(second.state.status, 'Licensed');
  });

  it('rule: grace period is 30 days after KMS validity lapses (OutOfToleranceGrace), then Notification', () => {
    const at = T0 + HOUR_MS;
    const lic = kmsLicensed(at);
    const end = at + 180 * DAY_MS;
    assert.equal(run(lic, { type: 'tick' }, end - 1).state.status, 'Licensed');
    const lapsed = run(lic, { type: 'tick' }, end);
    assert.equal(lapsed.state.status, 'OutOfToleranceGrace');
    assert.equal(lapsed.state.graceEndsAt, end + 30 * DAY_MS);
    assert.equal(lapsed.state.validUntil, null);
    assert.equal(lapsed.state.channel, null);
    assert.ok(logs(lapsed.effects).includes(EventIds.validityLapsed));
    assert.ok(logs(lapsed.effects).includes(EventIds.graceStarted));
    assert.ok(has(lapsed.effects, 'contact-kms'), 'retries go on');
    assert.equal(reminders(lapsed.effects).length, 1, 'the new grace is announced');
    const note = run(lapsed.state, { type: 'tick' }, end + 30 * DAY_MS);
    assert.equal(note.state.status, 'Notification');
    assert.equal(LicenseStatusCode[note.state.status], 5);
  });

  it('rule: a machine off for longer than validity and grace wakes straight into Notification, anchored at the deadlines', () => {
    const at = T0 + HOUR_MS;
    const r = run(kmsLicensed(at), { type: 'start' }, at + 300 * DAY_MS);
    assert.equal(r.state.status, 'Notification');
    assert.equal(r.state.notificationSince, at + 210 * DAY_MS);
    assert.deepEqual(logs(r.effects), [EventIds.validityLapsed, EventIds.graceStarted, EventIds.notification]);
    assert.equal(reminders(r.effects).length, 1);
    assert.ok(has(r.effects, 'contact-kms'));
  });

  it('rule: grace period is 30 days: initial grace ends in Notification, which keeps retrying on the activation interval', () => {
    let s = inGrace();
    s = run(s, { type: 'activation-failed', code: 'NO_KMS_HOST', message: 'none' }, T0).state;
    const end = T0 + 30 * DAY_MS;
    assert.equal(run(s, { type: 'tick' }, end - 1).state.status, 'InitialGrace');
    const r = run(s, { type: 'tick' }, end);
    assert.equal(r.state.status, 'Notification');
    assert.equal(r.state.graceEndsAt, null);
    assert.ok(logs(r.effects).includes(EventIds.notification));
    assert.ok(has(r.effects, 'contact-kms'));
    const failed = run(r.state, { type: 'activation-failed', code: 'NO_KMS_HOST', message: 'none' }, end);
    assert.equal(failed.state.nextAttemptAt, end + 2 * HOUR_MS);
    assert.equal(failed.nextWake, end + 2 * HOUR_MS);
    // Activation still works from Notification.
    const ok = run(failed.state, { type: 'activation-succeeded', channel: 'KMS', validUntil: null }, end + HOUR_MS);
    assert.equal(ok.state.status, 'Licensed');
  });

  it('rule: MAK and offline activations are permanent: no validity end and no further attempts', () => {
    for (const channel of ['MAK', 'offline'] as const) {
      const r = run(inGrace(MAK_KEY), { type: 'activation-succeeded', channel, validUntil: null }, T0 + HOUR_MS);
      assert.equal(r.state.status, 'Licensed');
      assert.equal(r.state.validUntil, null);
      assert.equal(r.state.nextAttemptAt, null);
      assert.equal(r.nextWake, null);
      assert.equal(run(r.state, { type: 'tick' }, T0 + 1000 * DAY_MS).state.status, 'Licensed');
      // A stray failure report never schedules retries of a permanent activation.
      assert.equal(run(r.state, { type: 'activation-failed', code: 'UNREACHABLE', message: 'x' }, T0 + 2 * HOUR_MS).state.nextAttemptAt, null);
    }
  });

  it('rule: intervals from the host: once a client has a reply from a KMS host, the host\'s intervals replace the client\'s own', () => {
    const at = T0 + HOUR_MS;
    const ok = run(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: null, hostIntervals: { activationMinutes: 60, renewalMinutes: 24 * 60 } }, at);
    assert.deepEqual(ok.state.intervals, { activationMinutes: 60, renewalMinutes: 24 * 60, source: 'host' });
    assert.equal(ok.state.nextAttemptAt, at + DAY_MS, 'the renewal uses the host\'s interval');
    assert.ok(logs(ok.effects).includes(EventIds.hostIntervalsApplied));
    // A refusal (count too low) is a reply too.
    const refused = run(inGrace(), { type: 'activation-failed', code: 'KMS_COUNT_TOO_LOW', message: 'low', count: 4, hostIntervals: { activationMinutes: 30, renewalMinutes: 600 } }, at);
    assert.equal(refused.state.intervals.source, 'host');
    assert.equal(refused.state.nextAttemptAt, at + 30 * MINUTE_MS);
  });

  it('rule: host-pushed intervals are clamped to 15 minutes … 30 days', () => {
    const r = run(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: null, hostIntervals: { activationMinutes: 1, renewalMinutes: 90 * 24 * 60 } }, T0);
    assert.deepEqual(r.state.intervals, { activationMinutes: 15, renewalMinutes: 30 * 24 * 60, source: 'host' });
    const odd = run(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: null, hostIntervals: { activationMinutes: Number.NaN, renewalMinutes: Infinity } }, T0);
    assert.deepEqual(odd.state.intervals, { activationMinutes: 15, renewalMinutes: 30 * 24 * 60, source: 'host' });
  });

  it('rule: administrator intervals must lie within 15 minutes … 30 days; out of range is refused and changes nothing', () => {
    const s = inGrace();
    for (const bad of [14, 30 * 24 * 60 + 1, 1.5, Number.NaN]) {
      assert.throws(() => run(s, { type: 'intervals-changed', activationMinutes: bad }, T0), (e: unknown) => e instanceof VactError && e.code === 'INVALID_CONFIG' && e.details?.['setting'] === 'activationMinutes');
    }
    assert.throws(() => run(s, { type: 'intervals-changed', renewalMinutes: 10 }, T0), (e: unknown) => e instanceof VactError && e.code === 'INVALID_CONFIG');
    assert.throws(() => run(s, { type: 'intervals-changed' }, T0), (e: unknown) => e instanceof VactError && e.code === 'INVALID_CONFIG');
    assert.deepEqual(s.intervals.source, 'default');
    const ok = run(s, { type: 'intervals-changed', activationMinutes: 15, renewalMinutes: 30 * 24 * 60 }, T0 + MINUTE_MS);
    assert.deepEqual(ok.state.intervals, { activationMinutes: 15, renewalMinutes: 30 * 24 * 60, source: 'admin' });
    assert.ok(logs(ok.effects).includes(EventIds.intervalsChanged));
    // The pending retry (attempt at T0) now comes 15 minutes after the last attempt.
    assert.equal(ok.state.nextAttemptAt, T0 + 15 * MINUTE_MS);
  });

  it('rule: administrator intervals reschedule a renewal, and a later host reply overrides them', () => {
    const at = T0 + HOUR_MS;
    const lic = kmsLicensed(at);
    const admin = run(lic, { type: 'intervals-changed', renewalMinutes: 24 * 60 }, at + HOUR_MS);
    assert.equal(admin.state.nextAttemptAt, at + DAY_MS);
    assert.equal(admin.state.intervals.activationMinutes, 120);
    const renewed = run(admin.state, { type: 'activation-succeeded', channel: 'KMS', validUntil: null, hostIntervals: { activationMinutes: 120, renewalMinutes: 7 * 24 * 60 } }, at + DAY_MS);
    assert.deepEqual(renewed.state.intervals, { activationMinutes: 120, renewalMinutes: 7 * 24 * 60, source: 'host' });
    assert.deepEqual(renewed.state.adminIntervals, { activationMinutes: 120, renewalMinutes: 24 * 60 });
  });

  it('rule: hardware beyond tolerance regenerates the CMID (clone) in the same step, whatever the state', () => {
    for (const st of [kmsLicensed(), inGrace(MAK_KEY)]) {
      const r = run(st, { type: 'hardware-rescanned', withinTolerance: false }, T0 + 2 * HOUR_MS);
      assert.deepEqual(r.effects.filter((e) => e.type === 'regenerate-cmid'), [{ type: 'regenerate-cmid', reason: 'clone' }]);
    }
    const within = run(kmsLicensed(), { type: 'hardware-rescanned', withinTolerance: true }, T0 + 2 * HOUR_MS);
    assert.equal(within.effects.filter((e) => e.type === 'regenerate-cmid').length, 0);
  });

  it('rule: rearm resets grace to 30 days, regenerates the CMID and clears the KMS state', () => {
    let s = inGrace();
    s = run(s, { type: 'activation-failed', code: 'KMS_COUNT_TOO_LOW', message: 'low', count: 7, hostIntervals: { activationMinutes: 60, renewalMinutes: 600 } }, T0).state;
    const at = T0 + 20 * DAY_MS;
    const r = run(s, { type: 'rearm' }, at);
    assert.equal(r.state.status, 'InitialGrace');
    assert.equal(r.state.graceStartedAt, at);
    assert.equal(r.state.graceEndsAt, at + 30 * DAY_MS);
    assert.equal(r.state.remainingRearms, 2);
    assert.equal(r.state.kmsCount, null);
    assert.equal(r.state.failures, 0);
    assert.equal(r.state.lastError, null);
    assert.equal(r.state.intervals.source, 'default');
    assert.deepEqual(r.effects.filter((e) => e.type === 'regenerate-cmid'), [{ type: 'regenerate-cmid', reason: 'rearm' }]);
    assert.ok(has(r.effects, 'contact-kms'));
    // From Notification and from Licensed too.
    const note = run(s, { type: 'tick' }, T0 + 31 * DAY_MS).state;
    assert.equal(note.status, 'Notification');
    assert.equal(run(note, { type: 'rearm' }, T0 + 31 * DAY_MS).state.status, 'InitialGrace');
    const lic = run(kmsLicensed(), { type: 'rearm' }, T0 + 2 * DAY_MS).state;
    assert.equal(lic.status, 'InitialGrace');
    assert.equal(lic.validUntil, null);
    assert.equal(lic.channel, null);
  });

  it('rule: rearm at most 3 times per installation; the 4th is refused with REARM_LIMIT_REACHED and changes nothing', () => {
    let s = inGrace();
    for (let i = 1; i <= 3; i++) s = run(s, { type: 'rearm' }, T0 + i * DAY_MS).state;
    assert.equal(s.remainingRearms, 0);
    const before = structuredClone(s);
    assert.throws(() => run(s, { type: 'rearm' }, T0 + 4 * DAY_MS), (e: unknown) => e instanceof VactError && e.code === 'REARM_LIMIT_REACHED');
    assert.deepEqual(s, before);
  });

  it('rule: rearm with no key installed leaves the machine Unlicensed; the next key starts a fresh grace', () => {
    let s = run(inGrace(), { type: 'key-removed' }, T0 + 25 * DAY_MS).state;
    s = run(s, { type: 'rearm' }, T0 + 26 * DAY_MS).state;
    assert.equal(s.status, 'Unlicensed');
    assert.equal(s.remainingRearms, 2);
    const again = run(s, { type: 'key-installed', key: KMS_KEY }, T0 + 27 * DAY_MS).state;
    assert.equal(again.graceEndsAt, T0 + 57 * DAY_MS);
  });

  it('rule: grace period is 30 days when hardware changes beyond tolerance (OutOfToleranceGrace), and reactivation is needed', () => {
    const at = T0 + 10 * DAY_MS;
    const r = run(kmsLicensed(), { type: 'hardware-rescanned', withinTolerance: false }, at);
    assert.equal(r.state.status, 'OutOfToleranceGrace');
    assert.equal(LicenseStatusCode[r.state.status], 3);
    assert.equal(r.state.graceEndsAt, at + 30 * DAY_MS);
    assert.equal(r.state.validUntil, null);
    assert.ok(has(r.effects, 'contact-kms'));
    const mak = run(run(inGrace(MAK_KEY), { type: 'activation-succeeded', channel: 'MAK', validUntil: null }, T0).state, { type: 'hardware-rescanned', withinTolerance: false }, at);
    assert.equal(mak.state.status, 'OutOfToleranceGrace');
    assert.ok(has(mak.effects, 'contact-authority'));
    // Within tolerance nothing changes.
    const same = run(kmsLicensed(), { type: 'hardware-rescanned', withinTolerance: true }, at);
    assert.equal(same.state.status, 'Licensed');
    assert.ok(!has(same.effects, 'contact-kms'));
  });

  it('rule: hardware beyond tolerance during grace never extends the grace deadline', () => {
    const r = run(inGrace(), { type: 'hardware-rescanned', withinTolerance: false }, T0 + 25 * DAY_MS);
    assert.equal(r.state.status, 'OutOfToleranceGrace');
    assert.equal(r.state.graceEndsAt, T0 + 30 * DAY_MS);
    const note = run(inGrace(), { type: 'tick' }, T0 + 30 * DAY_MS).state;
    assert.equal(run(note, { type: 'hardware-rescanned', withinTolerance: false }, T0 + 31 * DAY_MS).state.status, 'Notification');
    const unlicensed = initialState('e', RULES, T0);
    assert.equal(run(unlicensed, { type: 'hardware-rescanned', withinTolerance: false }, T0).state.status, 'Unlicensed');
  });

  it('rule: switching keys during grace keeps the grace deadline', () => {
    const r = run(inGrace(), { type: 'key-installed', key: MAK_KEY }, T0 + 12 * DAY_MS);
    assert.equal(r.state.status, 'InitialGrace');
    assert.equal(r.state.graceEndsAt, T0 + 30 * DAY_MS);
    assert.equal(r.state.key?.type, 'mak');
    assert.ok(has(r.effects, 'contact-authority'));
  });

  it('rule: switching channels: a different key on a Licensed machine keeps it Licensed by the old channel until the new channel answers', () => {
    const lic = kmsLicensed();
    const at = T0 + 50 * DAY_MS;
    const r = run(lic, { type: 'key-installed', key: MAK_KEY }, at);
    assert.equal(r.state.status, 'Licensed');
    assert.equal(r.state.channel, 'KMS');
    assert.equal(r.state.validUntil, lic.validUntil, 'the KMS activation still holds, to its own end');
    assert.equal(r.state.lastActivatedAt, lic.lastActivatedAt);
    assert.deepEqual(r.state.switching, { from: 'KMS', since: at });
    assert.equal(r.state.key?.type, 'mak');
    assert.ok(has(r.effects, 'contact-authority'));
    assert.ok(logs(r.effects).includes(EventIds.channelSwitching));
    // The MAK answers: Licensed by MAK, permanent.
    const mak = run(r.state, { type: 'activation-succeeded', channel: 'MAK', validUntil: null }, at + MINUTE_MS);
    assert.equal(mak.state.status, 'Licensed');
    assert.equal(mak.state.channel, 'MAK');
    assert.equal(mak.state.validUntil, null);
    assert.equal(mak.state.switching, null);
    // The KMS client setup key back: still Licensed by MAK until a KMS host answers.
    const back = run(mak.state, { type: 'key-installed', key: KMS_KEY }, at + HOUR_MS);
    assert.equal(back.state.status, 'Licensed');
    assert.equal(back.state.channel, 'MAK');
    assert.ok(has(back.effects, 'contact-kms'));
    const kms = run(back.state, { type: 'activation-succeeded', channel: 'KMS', validUntil: null, count: 30 }, at + 2 * HOUR_MS);
    assert.equal(kms.state.channel, 'KMS');
    assert.equal(kms.state.validUntil, at + 2 * HOUR_MS + 180 * DAY_MS);
    assert.equal(kms.state.switching, null);
    // Reinstalling the same key changes nothing.
    const same = run(lic, { type: 'key-installed', key: KMS_KEY }, at);
    assert.equal(same.state.status, 'Licensed');
    assert.ok(!has(same.effects, 'contact-kms'));
  });

  it('rule: switching channels: a failed answer of the new channel ends the old activation in InitialGrace counted from the key install', () => {
    const at = T0 + 50 * DAY_MS;
    const r = run(kmsLicensed(), { type: 'key-installed', key: MAK_KEY }, at);
    const failed = run(r.state, { type: 'activation-failed', code: 'UNREACHABLE', message: 'no answer' }, at + MINUTE_MS);
    assert.equal(failed.state.status, 'InitialGrace');
    assert.equal(failed.state.graceStartedAt, at);
    assert.equal(failed.state.graceEndsAt, at + 30 * DAY_MS);
    assert.equal(failed.state.channel, null);
    assert.equal(failed.state.validUntil, null);
    assert.equal(failed.state.lastActivatedAt, null);
    assert.equal(failed.state.switching, null);
    assert.equal(failed.state.nextAttemptAt, at + MINUTE_MS + 2 * HOUR_MS, 'an outage is retried after the activation interval');
    assert.equal(failed.state.lastError?.code, 'UNREACHABLE');
    assert.ok(logs(failed.effects).includes(EventIds.graceStarted));
    // A permanent refusal of the new channel ends the old activation the same way, and waits for an administrator.
    const refused = run(r.state, { type: 'activation-failed', code: 'MAK_LIMIT_REACHED', message: 'limit' }, at + MINUTE_MS);
    assert.equal(refused.state.status, 'InitialGrace');
    assert.equal(refused.state.graceEndsAt, at + 30 * DAY_MS);
    assert.equal(refused.state.nextAttemptAt, null, 'not retried until an administrator acts');
  });

  it('rule: switching channels: the old KMS validity still lapses on time while the new channel has not answered; a restart asks again at once', () => {
    const lic = kmsLicensed();
    const r = run(lic, { type: 'key-installed', key: OTHER_KMS_KEY }, T0 + 2 * DAY_MS);
    assert.equal(r.state.status, 'Licensed');
    const restarted = run(r.state, { type: 'start' }, T0 + 3 * DAY_MS);
    assert.ok(has(restarted.effects, 'contact-kms'), 'the attempt in flight was lost');
    const lapsed = run(r.state, { type: 'tick' }, lic.validUntil! + MINUTE_MS);
    assert.equal(lapsed.state.status, 'OutOfToleranceGrace');
    assert.equal(lapsed.state.graceStartedAt, lic.validUntil);
    assert.equal(lapsed.state.switching, null);
  });

  it('rule: removing the key makes the machine Unlicensed with no attempts; reinstalling never restarts grace', () => {
    const removed = run(inGrace(), { type: 'key-removed' }, T0 + 10 * DAY_MS);
    assert.equal(removed.state.status, 'Unlicensed');
    assert.equal(LicenseStatusCode[removed.state.status], 0);
    assert.equal(removed.state.nextAttemptAt, null);
    assert.equal(removed.nextWake, null);
    const back = run(removed.state, { type: 'key-installed', key: KMS_KEY }, T0 + 11 * DAY_MS);
    assert.equal(back.state.status, 'InitialGrace');
    assert.equal(back.state.graceEndsAt, T0 + 30 * DAY_MS);
    // Past the old deadline, reinstalling lands in Notification.
    const late = run(removed.state, { type: 'key-installed', key: KMS_KEY }, T0 + 40 * DAY_MS);
    assert.equal(late.state.status, 'Notification');
    // From Notification the machine returns to Notification.
    const note = run(inGrace(), { type: 'tick' }, T0 + 30 * DAY_MS).state;
    const r2 = run(run(note, { type: 'key-removed' }, T0 + 31 * DAY_MS).state, { type: 'key-installed', key: MAK_KEY }, T0 + 32 * DAY_MS);
    assert.equal(r2.state.status, 'Notification');
    assert.equal(r2.state.notificationSince, T0 + 30 * DAY_MS);
    // A licensed machine's key removal forgets the activation.
    const licRemoved = run(kmsLicensed(), { type: 'key-removed' }, T0 + DAY_MS).state;
    assert.equal(licRemoved.validUntil, null);
    assert.equal(run(licRemoved, { type: 'key-installed', key: KMS_KEY }, T0 + 2 * DAY_MS).state.graceEndsAt, T0 + 32 * DAY_MS);
    assert.throws(() => run(licRemoved, { type: 'key-removed' }, T0 + 2 * DAY_MS), (e: unknown) => e instanceof VactError && e.code === 'NO_KEY_INSTALLED');
  });

  it('rule: clock rollback never extends grace', () => {
    const s = run(inGrace(), { type: 'tick' }, T0 + 29 * DAY_MS).state;
    assert.equal(s.trustedNow, T0 + 29 * DAY_MS);
    // The clock is set back 20 days: the deadline is still one day after the trusted time.
    const back = run(s, { type: 'tick' }, T0 + 9 * DAY_MS);
    assert.equal(back.state.graceEndsAt, T0 + 30 * DAY_MS);
    assert.equal(back.state.trustedNow, T0 + 29 * DAY_MS);
    assert.ok(logs(back.effects).includes(EventIds.clockRollback));
    // Reported once per episode.
    const again = run(back.state, { type: 'tick' }, T0 + 9 * DAY_MS + HOUR_MS);
    assert.ok(!logs(again.effects).includes(EventIds.clockRollback));
    // A rearm while the clock is back counts 30 days from the trusted time, not from the clock.
    assert.equal(run(back.state, { type: 'rearm' }, T0 + 9 * DAY_MS).state.graceEndsAt, T0 + 59 * DAY_MS);
    // Once the clock is right again a later rollback is reported again.
    const fixed = run(again.state, { type: 'tick' }, T0 + 29 * DAY_MS + HOUR_MS).state;
    assert.equal(fixed.rollbackLogged, false);
    assert.ok(logs(run(fixed, { type: 'tick' }, T0).effects).includes(EventIds.clockRollback));
  });

  it('rule: clock rollback never extends KMS validity', () => {
    const at = T0 + HOUR_MS;
    const s = run(kmsLicensed(at), { type: 'activation-failed', code: 'KMS_HOST_UNREACHABLE', message: 'x' }, at + 170 * DAY_MS).state;
    // The clock jumps back 100 days, then a renewal succeeds: validity counts from the trusted time.
    const renewed = run(s, { type: 'activation-succeeded', channel: 'KMS', validUntil: null }, at + 70 * DAY_MS);
    assert.equal(renewed.state.validUntil, at + 350 * DAY_MS);
    // Without a renewal, validity lapses at the trusted time even though the clock reads earlier.
    const s2 = run(kmsLicensed(at), { type: 'tick' }, at + 180 * DAY_MS - MINUTE_MS).state;
    const lapsed = run(s2, { type: 'tick' }, at + 180 * DAY_MS);
    assert.equal(lapsed.state.status, 'OutOfToleranceGrace');
    const stillBack = run(lapsed.state, { type: 'tick' }, at);
    assert.equal(stillBack.state.status, 'OutOfToleranceGrace');
    assert.equal(stillBack.state.validUntil, null);
  });

  it('nextWake is the earliest of next attempt, next reminder, grace end and validity end', () => {
    const g = inGrace();
    // In grace: the first daily reminder slot was emitted at T0; next is the 2-hour retry.
    assert.equal(nextWakeOf(g), T0 + 2 * HOUR_MS);
    const noRetry = { ...g, nextAttemptAt: null };
    assert.equal(nextWakeOf(noRetry), T0 + DAY_MS, 'next daily reminder');
    const lic = kmsLicensed(T0);
    assert.equal(nextWakeOf({ ...lic, nextAttemptAt: null }), T0 + 180 * DAY_MS, 'validity end');
    // T0 is at :30, so the last hourly slot is half an hour before the grace ends.
    const late = { ...g, nextAttemptAt: null, lastReminderAt: T0 + 30 * DAY_MS - 30 * MINUTE_MS, trustedNow: T0 + 30 * DAY_MS - 30 * MINUTE_MS };
    assert.equal(nextWakeOf(late), T0 + 30 * DAY_MS, 'grace end');
  });

  it('a tick never leaves nextWake at or before its own time (the scheduler never spins)', () => {
    let s = inGrace();
    let t = T0;
    for (let i = 0; i < 500 && s.status !== 'Notification'; i++) {
      const r = run(s, { type: 'tick' }, t);
      assert.ok(r.nextWake === null || r.nextWake > t, `nextWake ${r.nextWake} after tick at ${t}`);
      s = r.state;
      t = r.nextWake ?? t + DAY_MS;
    }
    assert.equal(s.status, 'Notification');
  });

  it('refuses malformed events and times with a VactError and changes nothing', () => {
    const s = inGrace();
    const before = structuredClone(s);
    const cases: [unknown, number, string][] = [
      [{ type: 'tick' }, Number.NaN, 'INVALID_REQUEST'],
      [{ type: 'bogus' }, T0, 'INVALID_REQUEST'],
      [null, T0, 'INVALID_REQUEST'],
      [{ type: 'key-installed', key: { key: 'X', type: 'weird', group: 'g', partialKey: 'X' } }, T0, 'INVALID_KEY'],
      [{ type: 'key-installed' }, T0, 'INVALID_KEY'],
      [{ type: 'activation-succeeded', channel: 'MAK', validUntil: null }, T0, 'WRONG_CHANNEL'],
      [{ type: 'activation-succeeded', channel: 'phone', validUntil: null }, T0, 'INVALID_REQUEST'],
      [{ type: 'hardware-rescanned', withinTolerance: 'yes' }, T0, 'INVALID_REQUEST'],
    ];
    for (const [event, now, code] of cases) {
      assert.throws(() => step(s, event as LifecycleEvent, now, RULES), (e: unknown) => e instanceof VactError && e.code === code, JSON.stringify(event));
    }
    assert.deepEqual(s, before);
    assert.throws(() => run(initialState('e', RULES, T0), { type: 'activation-succeeded', channel: 'KMS', validUntil: null }, T0), (e: unknown) => e instanceof VactError && e.code === 'NO_KEY_INSTALLED');
    assert.throws(() => initialState('e', RULES, Number.POSITIVE_INFINITY), (e: unknown) => e instanceof VactError);
  });

  it('an activation failure reported after the key was removed changes nothing', () => {
    const s = run(inGrace(), { type: 'key-removed' }, T0).state;
    const r = run(s, { type: 'activation-failed', code: 'X', message: 'late' }, T0 + 1);
    assert.equal(r.state.failures, 0);
    assert.equal(r.state.lastError, null);
  });

  it('a step that changes nothing but the trusted time still asks to persist it; an identical step asks nothing', () => {
    const s = initialState('e', RULES, T0);
    assert.ok(has(run(s, { type: 'tick' }, T0 + 1).effects, 'persist'));
    assert.deepEqual(run(s, { type: 'tick' }, T0).effects, []);
  });
});
