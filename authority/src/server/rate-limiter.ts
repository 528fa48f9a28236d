// Per-client token buckets for activation calls. Operational time (performance.now), not the
// authority clock: a simulated clock jump must not refill or drain anyone's bucket.
import { performance } from 'node:perf_hooks';
import { VactError } from '@vact/shared';

export interface RateLimit {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: the burst a client may send at once. */
  burst: number;
}

interface Bucket { tokens: number; at: number }

/** Most buckets kept before full ones are dropped (they carry no information). */
const MAX_BUCKETS = 10_000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly limit: RateLimit, private readonly now: () => number = () => performance.now()) {}

  /** Takes one token for `client`; when none is left, says how many seconds until one is. */
  take(client: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const t = this.now();
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(t);
      b = { tokens: this.limit.burst, at: t };
      this.buckets.set(client, b);
    } else {
      b.tokens = Math.min(this.limit.burst, b.tokens + ((t - b.at) / 1000) * this.limit.ratePerSecond);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.ratePerSecond)) };
  }

  private prune(t: number): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((t - b.at) / 1000) * this.limit.ratePerSecond >= this.limit.burst) this.buckets.delete(k);
    }
    // Under a flood of distinct clients, forget the oldest rather than grow without bound.
    while (this.buckets.size >= MAX_BUCKETS) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}

/** Parses `RATE[/BURST]` (per second; 0 turns limiting off). */
export function parseRateLimit(text: string): RateLimit | null {
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) throw new VactError('INVALID_CONFIG', `--rate-limit must be RATE or RATE/BURST (requests per second per client, 0 = off), not "${text}"`);
  const rate = Number(m[1]);
  if (rate === 0) return null;
  const burst = m[2] !== undefined ? Number(m[2]) : Math.max(1, Math.ceil(rate * 2));
  return { ratePerSecond: rate, burst: Math.max(1, burst) };
}
