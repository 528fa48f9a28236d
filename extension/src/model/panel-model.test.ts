import { strict as assert } from 'node:assert';
import { panelState } from './panel-model';
import { countsByState, dashboardRows } from './dashboard-model';
import { FromWebviewSchema, PanelStateSchema } from '../panel/messages';
import { ReminderCoalescer, ReminderGate } from './reminders';
import { keyProblem, kmsClientSetupKeyFor, kmsClientSetupKeys } from './keys';
import { errorText } from './errors';
import { DAY, NOW, snapshot } from './fixtures';

describe('extension panel and dashboard models', () => {
  it('builds a panel state the message schema accepts, with a grace countdown and a KMS section', () => {
    const p = panelState(snapshot('a', {}, { remainingMs: 15 * DAY }));
    assert.equal(PanelStateSchema.safeParse(p).success, true);
    assert.equal(p.label, 'Initial grace');
    assert.equal(p.countdown?.fraction, 0.5);
    assert.ok(p.kms);
    assert.equal(p.host, null);
    assert.ok(p.facts.some((f) => f.label === 'Grace ends'));
  });

  it('hides the KMS section for MAK and shows a permanent licence without a countdown', () => {
    const p = panelState(snapshot('m', {}, { status: 'Licensed', channel: 'MAK', keyType: 'mak', remainingMs: null }));
    assert.equal(p.kms, null);
    assert.equal(p.countdown, null);
    assert.ok(p.facts.some((f) => f.value.startsWith('never')));
  });

  it('disables admin actions for a user-token connection', () => {
    assert.equal(panelState(snapshot('u', { role: 'user' })).admin, false);
    assert.equal(panelState(snapshot('u', { role: 'admin' })).admin, true);
  });

  it('validates webview messages and rejects anything else', () => {
    assert.equal(FromWebviewSchema.safeParse({ type: 'ready' }).success, true);
    assert.equal(FromWebviewSchema.safeParse({ type: 'action', action: 'activate' }).success, true);
    assert.equal(FromWebviewSchema.safeParse({ type: 'action', action: 'format-disk' }).success, false);
    assert.equal(FromWebviewSchema.safeParse({ type: 'ready', extra: 1 }).success, false);
    assert.equal(FromWebviewSchema.safeParse('ready').success, false);
  });

  it('orders the dashboard by the soonest deadline and counts agents by state', () => {
    const rows = dashboardRows([snapshot('late', {}, { remainingMs: 20 * DAY }), snapshot('soon', {}, { remainingMs: 2 * DAY }), snapshot('off', { kind: 'offline', error: 'refused' }, null)]);
    assert.deepEqual(rows.map((r) => [r.name, r.daysLeft]), [['soon', 2], ['late', 20], ['off', null]]);
    assert.equal(rows[2]?.lastError, 'refused');
    assert.deepEqual(countsByState(rows).map((c) => [c.label, c.count]), [['Initial grace', 2], ['offline', 1]]);
  });

  it('lets one reminder per agent per slot through', () => {
    const gate = new ReminderGate();
    const r = { deadline: NOW, at: '2026-12-01T09:00:00.000Z' };
    assert.equal(gate.admit('a', r), true);
    assert.equal(gate.admit('a', { ...r, at: '2026-12-01T09:30:00.000Z' }), false);
    assert.equal(gate.admit('b', r), true);
    assert.equal(gate.admit('a', { ...r, at: '2026-12-01T10:00:00.000Z' }), true);
  });

  it('coalesces a burst of reminders from one agent into one notification, the latest', () => {
    const shown: string[] = [];
    const timers: (() => void)[] = [];
    const c = new ReminderCoalescer<string>((id, r) => shown.push(`${id}:${r}`), (fn) => {
      timers.push(fn);
      return { dispose: () => timers.splice(timers.indexOf(fn), 1) };
    });
    for (const r of ['15 d', '14 d', '0 h', 'ended']) c.push('a', r);
    c.push('b', '3 d');
    assert.equal(timers.length, 2);
    timers.slice().forEach((f) => f());
    assert.deepEqual(shown, ['a:ended', 'b:3 d']);
  });

  it('checks keys with the shared codec and offers each edition its KMS client setup key', () => {
    const key = kmsClientSetupKeyFor('client-enterprise');
    assert.ok(key);
    assert.equal(keyProblem(key), null);
    assert.match(keyProblem('AAAAA-AAAAA-AAAAA-AAAAA-AAAAA') ?? '', /checksum/);
    assert.ok(kmsClientSetupKeys().length > 5);
    assert.equal(kmsClientSetupKeyFor('no-such-edition'), null);
  });

  it('tells errors with the catalogue hint', () => {
    assert.equal(errorText({ code: 'NO_KMS_HOST', message: 'No KMS host', hint: '' }).startsWith('No KMS host (NO_KMS_HOST).'), true);
    assert.equal(errorText(new Error('boom')), 'boom (ERROR).');
  });
});
