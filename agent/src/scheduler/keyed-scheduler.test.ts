import assert from 'node:assert/strict';
import * as schedule from 'node-schedule';
import { SystemClock } from '@vact/shared/node';
import { SystemScheduler } from './keyed-scheduler';

const DAY = 86_400_000;

function scheduler(errors: unknown[] = []): SystemScheduler {
  return new SystemScheduler(new SystemClock(), (_name, err) => errors.push(err));
}

describe('SystemScheduler (wall clock)', () => {
  it('fires a job once at its time, and arming the name again replaces it', async () => {
    const s = scheduler();
    const fired: string[] = [];
    s.schedule('lifecycle', Date.now() + 5_000, () => { fired.push('replaced'); });
    const at = Date.now() + 30;
    s.schedule('lifecycle', at, () => { fired.push(`at ${Date.now() >= at}`); });
    assert.equal(s.next('lifecycle'), at);
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(fired, ['at true']);
    assert.equal(s.fired, 1);
    assert.equal(s.next('lifecycle'), null);
    s.dispose();
  });

  it('fires a time already past at once, and reports a failing job without throwing', async () => {
    const errors: unknown[] = [];
    const s = scheduler(errors);
    s.schedule('late', Date.now() - 1_000, () => { throw new Error('job failed'); });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(s.fired, 1);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['job failed']);
    s.dispose();
  });

  it('arms a wait longer than a timer holds (over 24.8 days) with node-schedule, and dispose cancels it', () => {
    const s = scheduler();
    const before = Object.keys(schedule.scheduledJobs).length;
    const at = Date.now() + 200 * DAY;
    s.schedule('renewal', at, () => assert.fail('must not fire'));
    assert.equal(s.next('renewal'), at);
    assert.equal(Object.keys(schedule.scheduledJobs).length, before + 1, 'node-schedule holds the job');
    s.schedule('soon', Date.now() + 3 * DAY, () => assert.fail('must not fire'));
    assert.equal(Object.keys(schedule.scheduledJobs).length, before + 1, 'a wait a timer holds is not node-schedule\'s');
    s.dispose();
    assert.equal(Object.keys(schedule.scheduledJobs).length, before);
    assert.equal(s.next('renewal'), null);
    s.schedule('after-dispose', Date.now() + 10, () => assert.fail('must not fire'));
    assert.equal(s.next('after-dispose'), null);
  });
});
