// The simulated clock (time moves only when told) and the system clock's timers.
import assert from 'node:assert/strict';
import { VactError } from '../errors/error-codes';
import { SimClock } from './clock';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

describe('SimClock', () => {
  it('stands still until advanced', () => {
    const c = new SimClock(T0);
    assert.equal(c.kind, 'sim');
    assert.equal(c.now(), T0);
    assert.equal(c.now(), T0);
    c.advance(1500);
    assert.equal(c.now(), T0 + 1500);
  });

  it('fires due timers in time order, each seeing now() equal to its due time', () => {
    const c = new SimClock(T0);
    const seen: [string, number][] = [];
    c.setTimer(T0 + 300, () => seen.push(['c', c.now()]));
    c.setTimer(T0 + 100, () => seen.push(['a', c.now()]));
    c.setTimer(T0 + 200, () => seen.push(['b1', c.now()]));
    c.setTimer(T0 + 200, () => seen.push(['b2', c.now()]));
    c.setTimer(T0 + 5000, () => seen.push(['late', c.now()]));
    c.advance(1000);
    assert.deepEqual(seen, [['a', T0 + 100], ['b1', T0 + 200], ['b2', T0 + 200], ['c', T0 + 300]]);
    assert.equal(c.now(), T0 + 1000);
    assert.equal(c.pendingTimers, 1);
    assert.equal(c.nextTimerAt, T0 + 5000);
  });

  it('fires a timer set while firing if it falls due within the same advance', () => {
    const c = new SimClock(T0);
    const seen: number[] = [];
    const tick = (): void => {
      seen.push(c.now());
      c.setTimer(c.now() + 100, tick);
    };
    c.setTimer(T0 + 100, tick);
    c.advance(350);
    assert.deepEqual(seen, [T0 + 100, T0 + 200, T0 + 300]);
    assert.equal(c.pendingTimers, 1);
  });

  it('a disposed timer never fires; disposing twice is harmless', () => {
    const c = new SimClock(T0);
    let fired = false;
    const d = c.setTimer(T0 + 10, () => {
      fired = true;
    });
    d.dispose();
    d.dispose();
    c.advance(100);
    assert.equal(fired, false);
    assert.equal(c.pendingTimers, 0);
    assert.equal(c.nextTimerAt, null);
  });

  it('a timer set in the past fires on the next advance, at the current time', () => {
    const c = new SimClock(T0);
    let at = 0;
    c.setTimer(T0 - 1000, () => {
      at = c.now();
    });
    c.advance(0);
    assert.equal(at, T0);
  });

  it('set() moves forward like advance and backward without firing anything (a clock set back)', () => {
    const c = new SimClock(T0);
    const seen: number[] = [];
    c.setTimer(T0 + 100, () => seen.push(c.now()));
    c.set(T0 + 200);
    assert.deepEqual(seen, [T0 + 100]);
    c.setTimer(T0 + 150, () => seen.push(c.now()));
    c.set(T0 - 1000);
    assert.equal(c.now(), T0 - 1000);
    assert.deepEqual(seen, [T0 + 100]);
    c.set(T0 + 150);
    assert.deepEqual(seen, [T0 + 100, T0 + 150]);
  });

  it('refuses to move backward with advance, and refuses non-finite times', () => {
    const c = new SimClock(T0);
    assert.throws(() => c.advance(-1), (e: unknown) => e instanceof VactError && e.code === 'INVALID_DURATION');
    assert.throws(() => c.advance(Number.NaN), VactError);
    assert.throws(() => c.set(Number.POSITIVE_INFINITY), VactError);
    assert.throws(() => c.setTimer(Number.NaN, () => undefined), VactError);
    assert.throws(() => new SimClock(Number.NaN), VactError);
    assert.equal(c.now(), T0);
  });
});

