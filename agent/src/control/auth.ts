// Bearer-token checks and the failed-authentication rate limit of the control server.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ControlRole } from '@vact/shared/licensing';

/** The two control tokens (DESIGN §6). */
export interface ControlTokens {
  user: string;
  admin: string;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Role for `token` (compared in constant time), or null. */
export function roleForToken(tokens: ControlTokens, token: string): ControlRole | null {
  const d = digest(token);
  // Check both so timing does not reveal which one matched.
  const isAdmin = tokens.admin.length > 0 && timingSafeEqual(d, digest(tokens.admin));
  const isUser = tokens.user.length > 0 && timingSafeEqual(d, digest(tokens.user));
  return isAdmin ? 'admin' : isUser ? 'user' : null;
}

/** The token of an `Authorization: Bearer TOKEN` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S{1,256})\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

export interface FailedAuthLimitOptions {
  /** Failures allowed per address within the window before it is locked out. */
  maxFailures: number;
  windowMs: number;
  /** Wall-clock source; never the simulated clock, so rehearsals cannot unlock an attacker. */
  now?: () => number;
  /** Addresses tracked at most (oldest forgotten first) so the limiter itself stays small. */
  maxTracked?: number;
}

/** Counts failed authentications per remote address in a fixed window. */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();
  private readonly now: () => number;

  constructor(private readonly options: FailedAuthLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Records one failure from `address`. */
  record(address: string): void {
    const t = this.now();
    const entry = this.failures.get(address);
    if (!entry || t - entry.windowStart >= this.options.windowMs) {
      this.failures.delete(address);
      this.failures.set(address, { count: 1, windowStart: t });
      const max = this.options.maxTracked ?? 10_000;
      if (this.failures.size > max) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
    } else {
      entry.count++;
    }
  }

  /** True while `address` has used up its failures in the current window. */
  isLimited(address: string): boolean {
    const entry = this.failures.get(address);
    if (!entry) return false;
    if (this.now() - entry.windowStart >= this.options.windowMs) {
      this.failures.delete(address);
      return false;
    }
    return entry.count >= this.options.maxFailures;
  }
}
