// The reminder schedule in grace (DESIGN §3): once a day until 3 days remain, every 4 hours
// on the first two of the final three days, every hour on the hour on the final day; then
// once a day in Notification. How the slots are anchored is pinned down in docs/lifecycle.md.
import type { LifecycleState } from './types';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The next whole UTC hour at or after `t`. */
function ceilToHour(t: number): number {
  return Math.ceil(t / HOUR_MS) * HOUR_MS;
}

/**
 * Every reminder slot of a grace period [graceStart, graceEnd), ascending: graceStart itself;
 * graceStart + k days while more than 3 days remain; graceEnd - 3 days + k·4 hours while more
 * than 1 day remains; every whole UTC hour in the final day.
 */
export function reminderSlots(graceStart: number, graceEnd: number): number[] {
  if (!(graceEnd > graceStart)) return [];
  const slots = new Set<number>([graceStart]);
  for (let s = graceStart; s < graceEnd - 3 * DAY_MS; s += DAY_MS) slots.add(s);
  for (let s = graceEnd - 3 * DAY_MS; s < graceEnd - DAY_MS; s += 4 * HOUR_MS) if (s >= graceStart) slots.add(s);
  for (let s = ceilToHour(Math.max(graceEnd - DAY_MS, graceStart)); s < graceEnd; s += HOUR_MS) slots.add(s);
  return [...slots].sort((a, b) => a - b);
}

/** Where the state's reminders come from: a finite grace schedule, a daily Notification schedule, or none. */
type Schedule = { kind: 'grace'; slots: number[] } | { kind: 'daily'; anchor: number } | { kind: 'none' };

function scheduleOf(state: LifecycleState): Schedule {
  if ((state.status === 'InitialGrace' || state.status === 'OutOfToleranceGrace') && state.graceEndsAt !== null) {
    const start = state.graceStartedAt ?? state.graceEndsAt - 30 * DAY_MS;
    return { kind: 'grace', slots: reminderSlots(start, state.graceEndsAt) };
  }
  if (state.status === 'Notification' && state.notificationSince != null) return { kind: 'daily', anchor: state.notificationSince };
  return { kind: 'none' };
}

/** The latest reminder slot due at `t` and not yet emitted (one, however many were missed), or null. */
export function dueReminderSlot(state: LifecycleState, t: number): number | null {
  const after = state.lastReminderAt ?? -Infinity;
  const sched = scheduleOf(state);
  let latest: number | null = null;
  if (sched.kind === 'grace') {
    for (const s of sched.slots) if (s <= t) latest = s;
  } else if (sched.kind === 'daily' && t >= sched.anchor) {
    latest = sched.anchor + Math.floor((t - sched.anchor) / DAY_MS) * DAY_MS;
  }
  return latest !== null && latest > after ? latest : null;
}

/** The first reminder slot after `now` (and after the last one emitted), or null when none is scheduled. */
export function nextReminderAt(state: LifecycleState, now: number): number | null {
  const after = Math.max(now, state.lastReminderAt ?? -Infinity);
  const sched = scheduleOf(state);
  if (sched.kind === 'grace') return sched.slots.find((s) => s > after) ?? null;
  if (sched.kind === 'daily') {
    if (after < sched.anchor) return sched.anchor;
    return sched.anchor + (Math.floor((after - sched.anchor) / DAY_MS) + 1) * DAY_MS;
  }
  return null;
}
