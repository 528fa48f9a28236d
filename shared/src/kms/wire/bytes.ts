// Small platform-free byte helpers for the KMS wire codec: hex parsing and u32 without Buffer,
// so the shared core stays loadable in a webview (the core sees no platform).
import { VactError } from '../../errors/error-codes';

/** Value of one hex digit's char code; -1 for anything else. Uppercase is allowed unless `lowerOnly`. */
function hexDigit(c: number, lowerOnly: boolean): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (!lowerOnly && c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Bytes of a hex string, or null when it is not one (odd length, other characters). */
export function parseHex(hex: string, lowerOnly = false): Uint8Array | null {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(hex.charCodeAt(2 * i), lowerOnly);
    const lo = hexDigit(hex.charCodeAt(2 * i + 1), lowerOnly);
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Bytes of an even-length hex string; `what` names the field in the error. */
export function fromHex(hex: string, what: string): Uint8Array {
  const out = parseHex(hex);
  if (!out) throw new VactError('INVALID_ENCODING', `${what} must be hexadecimal, got ${JSON.stringify(String(hex)).slice(0, 80)}`);
  return out;
}

/** Checks a u32 field before it is written; returns it. */
export function checkU32(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new VactError('INVALID_ENCODING', `KMS frame: ${field} must be a whole number from 0 to 2^32-1, got ${String(v)}`);
  return v;
}
