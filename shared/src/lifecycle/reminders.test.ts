// The reminder schedule (DESIGN §3) and how the lifecycle emits it.
import assert from 'node:assert/strict';
import { initialState, step } from './machine';
import { DAY_MS, HOUR_MS, MINUTE_MS, dueReminderSlot, nextReminderAt, reminderSlots } from './reminders';
import { KMS_KEY, RULES } from './test-support/rules';
import type { LifecycleEffect, LifecycleState } from './types';

const T0 = Date.UTC(2026, 10, 27, 9, 30, 0);
const END = T0 + 30 * DAY_MS;

function inGrace(): LifecycleState {
  return step(initialState('client-enterprise', RULES, T0), { type: 'key-installed', key: KMS_KEY }, T0, RULES).state;
}
function reminderEffects(effects: LifecycleEffect[]): Extract<LifecycleEffect, { type: 'reminder' }>[] {
  return effects.filter((e): e is Extract<LifecycleEffect, { type: 'reminder' }> => e.type === 'reminder');
}

describe('reminder schedule (DESIGN §3)', () => {
  const slots = reminderSlots(T0, END);

  it('rule: reminders in grace once a day until 3 days remain', () => {
    const daily = slots.filter((s) => s < END - 3 * DAY_MS);
    assert.deepEqual(daily, Array.from({ length: 27 }, (_, k) => T0 + k * DAY_MS));
  });

  it('rule: reminders in grace every 4 hours on the first two of the final three days', () => {
    const fourHourly = slots.filter((s) => s >= END - 3 * DAY_MS && s < END - DAY_MS);
    assert.deepEqual(fourHourly, Array.from({ length: 12 }, (_, j) => END - 3 * DAY_MS + j * 4 * HOUR_MS));
  });

  it('rule: reminders in grace every hour, on the hour, on the final day', () => {
    const hourly = slots.filter((s) => s >= END - DAY_MS);
    assert.equal(hourly.length, 24);
    for (const s of hourly) assert.equal(s % HOUR_MS, 0, `${new Date(s).toISOString()} is on the hour`);
    assert.equal(hourly[0], END - DAY_MS + 30 * MINUTE_MS); // 10:00 the day before the 09:30 deadline
    assert.equal(hourly.at(-1), END - 30 * MINUTE_MS); // 09:00 on the last day
    for (let i = 1; i < hourly.length; i++) assert.equal(hourly[i] - hourly[i - 1], HOUR_MS);
  });

  it('a 30-day grace has 63 reminder slots, strictly ascending, all inside the grace period', () => {
    assert.equal(slots.length, 27 + 12 + 24);
    for (let i = 1; i < slots.length; i++) assert.ok(slots[i] > slots[i - 1]);
    assert.ok(slots[0] === T0 && slots.at(-1)! < END);
  });

  it('a grace period shorter than 3 days starts with a reminder and is clipped to the final phases', () => {
    const start = END - 2 * DAY_MS - 30 * MINUTE_MS;
    const short = reminderSlots(start, END);
    assert.equal(short[0], start);
    assert.ok(short.every((s) => s >= start && s < END));
    assert.deepEqual(reminderSlots(END, END), []);
    assert.deepEqual(reminderSlots(END, T0), []);
  });

  it('rule: a step that jumps over several reminder slots emits one reminder (the latest due), never a burst', () => {
    const s = inGrace();
    assert.equal(s.lastReminderAt, T0);
    const t = END - 2 * DAY_MS + 5 * HOUR_MS; // machine was off for 28 days
    const r = step(s, { type: 'tick' }, t, RULES);
    const rem = reminderEffects(r.effects);
    assert.equal(rem.length, 1);
    assert.equal(rem[0].status, 'InitialGrace');
    assert.equal(rem[0].remainingMs, END - t);
    assert.equal(r.state.lastReminderAt, END - 2 * DAY_MS + 4 * HOUR_MS);
  });

  it('rule: lastReminderAt prevents repeats after a restart', () => {
    const t = T0 + 5 * DAY_MS + HOUR_MS;
    const first = step(inGrace(), { type: 'tick' }, t, RULES);
    assert.equal(reminderEffects(first.effects).length, 1);
    const restarted = step(first.state, { type: 'start' }, t + MINUTE_MS, RULES);
    assert.equal(reminderEffects(restarted.effects).length, 0);
    assert.equal(nextReminderAt(restarted.state, t), T0 + 6 * DAY_MS);
    assert.equal(dueReminderSlot(restarted.state, t + HOUR_MS), null);
  });

  it('in Notification a reminder is due at its start and then once a day', () => {
    const note = step(inGrace(), { type: 'tick' }, END + 3 * HOUR_MS, RULES);
    assert.equal(note.state.status, 'Notification');
    const rem = reminderEffects(note.effects);
    assert.deepEqual(rem, [{ type: 'reminder', remainingMs: 0, status: 'Notification' }]);
    assert.equal(note.state.lastReminderAt, END);
    assert.equal(nextReminderAt(note.state, END + 3 * HOUR_MS), END + DAY_MS);
    const later = step(note.state, { type: 'tick' }, END + 5 * DAY_MS + 1, RULES);
    assert.equal(reminderEffects(later.effects).length, 1);
    assert.equal(later.state.lastReminderAt, END + 5 * DAY_MS);
    assert.equal(nextReminderAt({ ...later.state, lastReminderAt: null }, END - DAY_MS), END);
  });

  it('Licensed and Unlicensed machines get no reminders', () => {
    const lic = step(inGrace(), { type: 'activation-succeeded', channel: 'KMS', validUntil: null }, T0, RULES).state;
    assert.equal(nextReminderAt(lic, T0), null);
    assert.equal(dueReminderSlot(lic, T0 + DAY_MS), null);
    assert.equal(nextReminderAt(initialState('e', RULES, T0), T0), null);
  });

  it('a state persisted without graceStartedAt anchors its daily reminders 30 days before the grace end', () => {
    const legacy: LifecycleState = { ...inGrace(), graceStartedAt: undefined, lastReminderAt: null };
    assert.equal(dueReminderSlot(legacy, T0 + HOUR_MS), T0);
  });
});
