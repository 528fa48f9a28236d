// Base64 for the platform-free core (keys, signatures, tickets as text), from @scure/base:
// strict RFC 4648 with padding, so a non-canonical spelling is refused rather than silently repaired.
import { base64 } from '@scure/base';

/** Standard padded base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
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
