// Whole lifecycles rehearsed on the simulated clock: the lifecycle wakes only at nextWake.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimClock, type Disposable } from '../clock/clock';
import { initialState, step } from './machine';
import { DAY_MS, HOUR_MS, reminderSlots } from './reminders';
import { KMS_KEY, MAK_KEY, RULES } from './test-support/rules';
import type { LifecycleEffect, LifecycleEvent, LifecycleState } from './types';

const T0 = Date.UTC(2026, 10, 27, 9, 30, 0);

type Outcome = (contact: 'contact-kms' | 'contact-authority', t: number) => LifecycleEvent | null;

/** Drives the lifecycle like the agent does: one SimClock timer at nextWake, outcomes fed back at once. */
class Driver {
  state: LifecycleState;
  readonly effects: { at: number; effect: LifecycleEffect; status: LifecycleState['status'] }[] = [];
  wakes = 0;
  private timer: Disposable | null = null;

  constructor(readonly clock: SimClock, state: LifecycleState, public outcome: Outcome) {
    this.state = state;
  }

  apply(event: LifecycleEvent): void {
    const r = step(this.state, event, this.clock.now(), RULES);
    this.state = r.state;
    for (const effect of r.effects) this.effects.push({ at: this.clock.now(), effect, status: r.state.status });
    this.timer?.dispose();
    this.timer = r.nextWake === null ? null : this.clock.setTimer(r.nextWake, () => {
      this.wakes++;
      this.apply({ type: 'tick' });
    });
    for (const e of r.effects) {
      if (e.type === 'contact-kms' || e.type === 'contact-authority') {
        const o = this.outcome(e.type, this.clock.now());
        if (o) this.apply(o);
      }
    }
  }

  of(type: LifecycleEffect['type']): { at: number; effect: LifecycleEffect; status: LifecycleState['status'] }[] {
    return this.effects.filter((e) => e.effect.type === type);
  }
}

const noHost: Outcome = () => ({ type: 'activation-failed', code: 'NO_KMS_HOST', message: 'no KMS host' });

describe('lifecycle rehearsals on the simulated clock', () => {
  it('rule: reminders in grace follow the schedule exactly over a whole 30-day grace with no KMS host', () => {
    const clock = new SimClock(T0);
    const d = new Driver(clock, initialState('client-enterprise', RULES, T0), noHost);
    d.apply({ type: 'key-installed', key: KMS_KEY });
    clock.advance(30 * DAY_MS - 1);
    assert.equal(d.state.status, 'InitialGrace');
    const times = d.of('reminder').map((e) => e.at);
    assert.deepEqual(times, reminderSlots(T0, T0 + 30 * DAY_MS));
    // Retries every 2 hours the whole time: one at install and then every 2 hours.
    assert.equal(d.of('contact-kms').length, 1 + Math.floor((30 * DAY_MS - 1) / (2 * HOUR_MS)));
    clock.advance(1);
    assert.equal(d.state.status, 'Notification');
  });

  it('rule: KMS activation validity is 180 days, renewed every 7 days, then 30 days of grace once the host is gone', () => {
    const clock = new SimClock(T0);
    let hostUp = true;
    const d = new Driver(clock, initialState('client-enterprise', RULES, T0), (_c, t) => hostUp
      ? { type: 'activation-succeeded', channel: 'KMS', validUntil: t + 180 * DAY_MS, count: 50 }
      : { type: 'activation-failed', code: 'KMS_HOST_UNREACHABLE', message: 'down' });
    d.apply({ type: 'key-installed', key: KMS_KEY });
    assert.equal(d.state.status, 'Licensed');
    clock.advance(200 * DAY_MS);
    assert.equal(d.state.status, 'Licensed');
    assert.equal(d.of('contact-kms').length, 1 + Math.floor(200 / 7));
    const lastRenewal = d.state.lastActivatedAt!;
    assert.equal(lastRenewal, T0 + 28 * 7 * DAY_MS);
    assert.equal(d.state.validUntil, lastRenewal + 180 * DAY_MS);
    hostUp = false;
    clock.set(lastRenewal + 180 * DAY_MS - 1);
    assert.equal(d.state.status, 'Licensed');
    clock.advance(1);
    assert.equal(d.state.status, 'OutOfToleranceGrace');
    assert.equal(d.state.graceEndsAt, lastRenewal + 210 * DAY_MS);
    clock.advance(30 * DAY_MS);
    assert.equal(d.state.status, 'Notification');
    hostUp = true;
    clock.advance(2 * HOUR_MS);
    assert.equal(d.state.status, 'Licensed');
  });

  it('a MAK-activated machine never wakes again', () => {
    const clock = new SimClock(T0);
    const d = new Driver(clock, initialState('client-enterprise', RULES, T0), () => ({ type: 'activation-succeeded', channel: 'MAK', validUntil: null }));
    d.apply({ type: 'key-installed', key: MAK_KEY });
    clock.advance(400 * DAY_MS);
    assert.equal(d.state.status, 'Licensed');
    assert.equal(d.wakes, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('invariants hold for any sequence of events and clock readings (including clocks set back)', () => {
    const event = fc.oneof(
      fc.constant<LifecycleEvent>({ type: 'tick' }),
      fc.constant<LifecycleEvent>({ type: 'start' }),
      fc.constantFrom(KMS_KEY, MAK_KEY).map((key): LifecycleEvent => ({ type: 'key-installed', key })),
      fc.constant<LifecycleEvent>({ type: 'key-removed' }),
      fc.constantFrom('KMS', 'MAK').map((channel): LifecycleEvent => ({ type: 'activation-succeeded', channel: channel, validUntil: null })),
      fc.nat(100).map((count): LifecycleEvent => ({ type: 'activation-failed', code: 'KMS_COUNT_TOO_LOW', message: 'low', count })),
      fc.boolean().map((withinTolerance): LifecycleEvent => ({ type: 'hardware-rescanned', withinTolerance })),
      fc.constant<LifecycleEvent>({ type: 'rearm' }),
      fc.integer({ min: 1, max: 50_000 }).map((m): LifecycleEvent => ({ type: 'intervals-changed', activationMinutes: m })),
    );
    const moves = fc.array(fc.tuple(event, fc.integer({ min: -40 * DAY_MS, max: 60 * DAY_MS })), { maxLength: 40 });
    fc.assert(fc.property(moves, (seq) => {
      let s = initialState('client-enterprise', RULES, T0);
      let clock = T0;
      let maxSeen = T0;
      for (const [ev, delta] of seq) {
        clock += delta;
        let r;
        try {
          r = step(s, ev, clock, RULES);
        } catch {
          continue; // refused events change nothing (checked in the unit tests)
        }
        maxSeen = Math.max(maxSeen, clock);
        const n = r.state;
        assert.equal(n.trustedNow, maxSeen);
        assert.ok(r.effects.filter((e) => e.type === 'reminder').length <= 1);
        assert.equal(n.key === null, n.status === 'Unlicensed');
        if (n.status === 'InitialGrace' || n.status === 'OutOfToleranceGrace') assert.ok(n.graceEndsAt! > n.trustedNow);
        if (n.status === 'Licensed' && n.validUntil !== null) assert.ok(n.validUntil > n.trustedNow);
        if (ev.type === 'tick' || ev.type === 'start') assert.ok(r.nextWake === null || r.nextWake > n.trustedNow);
        // Grace deadlines only move later through a rearm or a fresh grace from Licensed/Unlicensed.
        const sameGrace = (s.status === 'InitialGrace' || s.status === 'OutOfToleranceGrace') && n.status === s.status;
        if (sameGrace && ev.type !== 'rearm') assert.ok(n.graceEndsAt! <= s.graceEndsAt!);
        s = n;
      }
    }), { numRuns: 300 });
  });
});
