// Small platform-free byte helpers for the KMS wire codec: hex parsing and u32 without Buffer,
// so the shared core stays loadable in a webview (issue 7: the core sees no platform).
import { VactError } from '../../errors/error-codes';

/** Bytes of an even-length hex string; `what` names the field in the error. */
export function fromHex(hex: string, what: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new VactError('INVALID_ENCODING', `${what} must be hexadecimal, got ${JSON.stringify(String(hex)).slice(0, 80)}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A u32, big-endian. */
export function u32(field: string, v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new VactError('INVALID_ENCODING', `KMS frame: ${field} must be a whole number from 0 to 2^32-1, got ${String(v)}`);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
}

/** Reads a u32 at the start of `b` (exactly 4 bytes). */
export function readU32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
}
