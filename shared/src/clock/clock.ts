// CONTRACT — implemented by the shared-lifecycle helper. All code reads time through one Clock.
export interface Disposable { dispose(): void }
export interface Clock {
  readonly kind: 'system' | 'sim';
  now(): number; // ms since epoch
  /** Calls fn once when the clock reaches `at` (sim: when advanced past it). */
  setTimer(at: number, fn: () => void): Disposable;
}
export declare class SystemClock implements Clock { readonly kind: 'system'; now(): number; setTimer(at: number, fn: () => void): Disposable }
export declare class SimClock implements Clock {
  readonly kind: 'sim';
  constructor(start: number);
  now(): number;
  setTimer(at: number, fn: () => void): Disposable;
  /** Moves time forward, firing due timers in time order (each sees now() == its due time). */
  advance(ms: number): void;
  set(at: number): void;
}
