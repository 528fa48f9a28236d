// Base64 for the platform-free core (keys, signatures, tickets as text), from @scure/base:
// strict RFC 4648 with padding, so a non-canonical spelling is refused rather than silently repaired.
import { base64 } from '@scure/base';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Standard padded base64 of `bytes`. Written out rather than through @scure/base: encoding has one
 * right answer, and a KMS host encodes a signature for every ticket it issues.
 */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >>> 18] + ALPHABET[(v >>> 12) & 63] + ALPHABET[(v >>> 6) & 63] + ALPHABET[v & 63];
  }
  if (i + 1 === n) {
    const v = bytes[i] << 16;
    out += ALPHABET[v >>> 18] + ALPHABET[(v >>> 12) & 63] + '==';
  } else if (i + 2 === n) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[v >>> 18] + ALPHABET[(v >>> 12) & 63] + ALPHABET[(v >>> 6) & 63] + '=';
  }
  return out;
}

/** The bytes of a canonical padded base64 string, or null when `text` is not one. */
export function fromBase64(text: unknown): Uint8Array | null {
  if (typeof text !== 'string') return null;
  try {
    return base64.decode(text);
  } catch {
    return null;
  }
}
