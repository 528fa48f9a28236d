// All code reads time through one Clock (DESIGN §4): the system clock in production
// (@vact/shared/node), a simulated clock that only moves when told (`--clock sim`, tests).
// The lifecycle and the KMS host count never touch timers; the sim clock owns no platform timer.
import { VactError } from '../errors/error-codes';

export interface Disposable { dispose(): void }
export interface Clock {
  readonly kind: 'system' | 'sim';
  now(): number; // ms since epoch
  /** Calls fn once when the clock reaches `at` (sim: when advanced past it). */
  setTimer(at: number, fn: () => void): Disposable;
}

/** Throws unless `at` is a time (ms since the epoch). */
export function checkTimerAt(at: number): void {
  if (typeof at !== 'number' || Number.isNaN(at)) throw new VactError('INVALID_REQUEST', `a timer needs a time in ms since the epoch (got ${String(at)})`);
}

interface SimTimer { at: number; seq: number; fn: () => void; live: boolean }

/** A clock that moves only when told: advance/set fire due timers in time order, each seeing now() == its due time. */
export class SimClock implements Clock {
  readonly kind = 'sim' as const;
  private current: number;
  private timers: SimTimer[] = [];
  private seq = 0;

  constructor(start: number) {
    if (typeof start !== 'number' || !Number.isFinite(start)) throw new VactError('INVALID_REQUEST', `a simulated clock needs a start time in ms since the epoch (got ${String(start)})`);
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Number of timers not yet fired or disposed. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Due time of the earliest pending timer, or null. */
  get nextTimerAt(): number | null {
    return this.timers.length > 0 ? this.timers[0].at : null;
  }

  setTimer(at: number, fn: () => void): Disposable {
    checkTimerAt(at);
    const timer: SimTimer = { at, seq: this.seq++, fn, live: true };
    // Sorted by (at, seq): timers due at the same time fire in the order they were set.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].at > at) i--;
    this.timers.splice(i, 0, timer);
    return {
      dispose: () => {
        if (!timer.live) return;
        timer.live = false;
        const idx = this.timers.indexOf(timer);
        if (idx >= 0) this.timers.splice(idx, 1);
      },
    };
  }

  /** Moves time forward by `ms` (>= 0), firing due timers in time order (each sees now() == its due time). */
  advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new VactError('INVALID_DURATION', `a simulated clock moves forward only (got ${String(ms)} ms)`);
    this.runUntil(this.current + ms);
  }

  /** Sets the time; forward fires due timers like advance, backward (a clock set back) fires nothing. */
  set(at: number): void {
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new VactError('INVALID_REQUEST', `a simulated clock needs a time in ms since the epoch (got ${String(at)})`);
    if (at < this.current) {
      this.current = at;
      return;
    }
    this.runUntil(at);
  }

  private runUntil(target: number): void {
    // Timers set while firing are honoured if they fall due before the target.
    for (let t = this.timers[0]; t !== undefined && t.at <= target; t = this.timers[0]) {
      this.timers.shift();
      t.live = false;
      this.current = Math.max(this.current, t.at);
      t.fn();
    }
    this.current = Math.max(this.current, target);
  }
}
