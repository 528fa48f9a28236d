// Permanent refusals wait for an administrator; transient authority failures back off with jitter.
import assert from 'node:assert/strict';
import { initialState, step } from './machine';
import { HOUR_MS } from './reminders';
import { isPermanentFailure, retryDelayMs, MAX_BACKOFF_FACTOR } from './retry';
import { KMS_KEY, MAK_KEY, RULES } from './test-support/rules';
import type { LifecycleEvent, LifecycleState } from './types';

const T0 = Date.UTC(2026, 10, 27, 9, 30, 0);
const INTERVAL = RULES.activationIntervalMinutes * 60_000;

function withMak(): LifecycleState {
  return step(initialState('client-enterprise', RULES, T0), { type: 'key-installed', key: MAK_KEY }, T0, RULES).state;
}
const fail = (code: string, jitter?: number): LifecycleEvent => ({ type: 'activation-failed', code, message: code, ...(jitter !== undefined ? { jitter } : {}) });

describe('activation retries (pure rule)', () => {
  it('permanent: revoked key, product not covered, limit reached, another catalogue — for authority keys only', () => {
    for (const code of ['KEY_REVOKED', 'PRODUCT_NOT_COVERED_BY_KEY', 'MAK_LIMIT_REACHED', 'CATALOGUE_MISMATCH']) {
      assert.equal(isPermanentFailure(code, 'mak'), true, code);
      assert.equal(isPermanentFailure(code, 'kms-client'), false, code);
    }
    for (const code of ['UNREACHABLE', 'RATE_LIMITED', 'INTERNAL', 'CERTIFICATE_NOT_TRUSTED']) assert.equal(isPermanentFailure(code, 'mak'), false, code);
  });

  it('transient: doubles per failure up to the cap, spread ±20% by the jitter; KMS clients keep the interval', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 9].map((n) => retryDelayMs('mak', n, INTERVAL) / INTERVAL), [1, 2, 4, 8, 16, 16, 16]);
    assert.equal(MAX_BACKOFF_FACTOR, 16);
    assert.equal(retryDelayMs('mak', 1, INTERVAL, 0), 0.8 * INTERVAL);
    assert.ok(retryDelayMs('mak', 1, INTERVAL, 0.999) < 1.2 * INTERVAL && retryDelayMs('mak', 1, INTERVAL, 0.999) > 1.19 * INTERVAL);
    assert.equal(retryDelayMs('kms-client', 7, INTERVAL, 0), INTERVAL);
  });

  it('the lifecycle: a permanent refusal leaves no next attempt, not on ticks, not on a restart; a new key tries again', () => {
    let s = step(withMak(), fail('MAK_LIMIT_REACHED'), T0, RULES).state;
    assert.equal(s.nextAttemptAt, null);
    for (let t = T0; t < T0 + 3 * 86_400_000; t += HOUR_MS) {
      const r = step(s, { type: 'tick' }, t, RULES);
      assert.ok(!r.effects.some((e) => e.type === 'contact-authority'), 'no retry on a tick');
      s = r.state;
    }
    assert.ok(!step(s, { type: 'start' }, T0 + 4 * 86_400_000, RULES).effects.some((e) => e.type === 'contact-authority'), 'no retry on a restart');
    assert.ok(step(s, { type: 'key-installed', key: { ...MAK_KEY, partialKey: 'ZZZZZ' } }, T0 + 4 * 86_400_000, RULES).effects.some((e) => e.type === 'contact-authority'));
  });

  it('the lifecycle: transient failures are retried later each time, with the jitter the edge supplies', () => {
    let s = withMak();
    let t = T0;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      s = step(s, fail('UNREACHABLE', 0.5), t, RULES).state;
      delays.push((s.nextAttemptAt! - t) / INTERVAL);
      t = s.nextAttemptAt!;
    }
    assert.deepEqual(delays, [1, 2, 4, 8]);
    const early = step(withMak(), fail('UNREACHABLE', 0), T0, RULES).state.nextAttemptAt! - T0;
    assert.equal(early, 0.8 * INTERVAL);
    // A KMS client is retried on its interval, as DESIGN §3 says.
    let k = step(initialState('client-enterprise', RULES, T0), { type: 'key-installed', key: KMS_KEY }, T0, RULES).state;
    k = step(k, fail('KMS_HOST_UNREACHABLE', 0), T0, RULES).state;
    k = step(k, fail('KMS_HOST_UNREACHABLE', 0), T0, RULES).state;
    assert.equal(k.nextAttemptAt! - T0, INTERVAL);
  });
});
