// When a failed activation is tried again (pure): a permanent refusal by the authority is not
// retried until an administrator acts (a new key, `vact activate`); a transient failure of an
// authority contact backs off exponentially with jitter, so a fleet does not retry in step after
// an outage. KMS clients keep the activation interval (DESIGN §3: every 2 hours, from the host).
import type { KeyType } from '../keys/product-key';

/** Refusals the authority will repeat until someone changes the key, its limit or the configuration. */
const PERMANENT_AUTHORITY_ERRORS: ReadonlySet<string> = new Set([
  'KEY_REVOKED', 'KEY_NOT_GENUINE', 'KEY_WRONG_TYPE', 'PRODUCT_NOT_COVERED_BY_KEY', 'MAK_LIMIT_REACHED',
  'HOST_KEY_NOT_ALLOWED_ON_EDITION', 'KMS_HOST_KEY_HOST_LIMIT', 'KMS_HOST_KEY_REACTIVATION_LIMIT', 'CATALOGUE_MISMATCH',
  'UNKNOWN_EDITION', 'UNKNOWN_GROUP', 'INVALID_KEY',
]);

/** Is a failure with `code` permanent for a key of `keyType`? (KMS clients: never — another host or a higher count may answer.) */
export function isPermanentFailure(code: string, keyType: KeyType): boolean {
  return keyType !== 'kms-client' && PERMANENT_AUTHORITY_ERRORS.has(code);
}

/** The longest a transient authority failure waits before the next try, as a multiple of the activation interval. */
export const MAX_BACKOFF_FACTOR = 16;
/** Jitter spreads each delay over ±20%. */
export const JITTER_SPREAD = 0.2;

/**
 * Milliseconds until the next try after the `failures`-th failure in a row (1 = the first): the
 * activation interval doubled per failure up to MAX_BACKOFF_FACTOR times it, times a jitter factor
 * in [1 − JITTER_SPREAD, 1 + JITTER_SPREAD) from `jitter` in [0, 1) (the caller's random number;
 * 0.5 = none). KMS clients: the interval itself.
 */
export function retryDelayMs(keyType: KeyType, failures: number, intervalMs: number, jitter = 0.5): number {
  if (keyType === 'kms-client') return intervalMs;
  const n = Math.max(1, Math.floor(failures));
  const factor = Math.min(2 ** (n - 1), MAX_BACKOFF_FACTOR);
  const j = Number.isFinite(jitter) ? Math.min(Math.max(jitter, 0), 1) : 0.5;
  return Math.round(intervalMs * factor * (1 - JITTER_SPREAD + 2 * JITTER_SPREAD * j));
}
