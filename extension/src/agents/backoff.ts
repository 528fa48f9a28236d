// Reconnect delays: exponential with full jitter, capped. Pure, so the schedule is unit-tested.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** 0..1 random source (Math.random in production, fixed in tests). */
  random?: () => number;
}

/** Delay before reconnect attempt `attempt` (0-based): between half and all of min(max, initial·2^attempt). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
