import assert from 'node:assert/strict';
import { VactError } from '../errors/error-codes';
import { MAX_TIMEOUT_MS, SystemClock } from './system-clock';

describe('SystemClock', () => {
  it('reads the system time', () => {
    const c = new SystemClock();
    assert.equal(c.kind, 'system');
    const before = Date.now();
    const now = c.now();
    assert.ok(now >= before && now <= Date.now());
  });

  it('fires a due timer once and a disposed one never', async () => {
    const c = new SystemClock();
    let fired = 0;
    let cancelled = 0;
    c.setTimer(c.now() - 5, () => fired++);
    const d = c.setTimer(c.now() + 1, () => cancelled++);
    d.dispose();
    await new Promise<void>((resolve) => {
      c.setTimer(c.now() + 20, resolve);
    });
    assert.equal(fired, 1);
    assert.equal(cancelled, 0);
  });

  it('arms waits longer than setTimeout allows in steps, and dispose cancels the pending step', () => {
    const c = new SystemClock();
    let fired = false;
    const d = c.setTimer(c.now() + 40 * 86_400_000, () => {
      fired = true;
    });
    assert.ok(MAX_TIMEOUT_MS < 40 * 86_400_000);
    d.dispose();
    assert.equal(fired, false);
    assert.throws(() => c.setTimer(Number.NaN, () => undefined), VactError);
  });
});
