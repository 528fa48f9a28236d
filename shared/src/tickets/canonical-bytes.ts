// The canonical byte encoding shared by certificates and tickets (docs/protocol.md, "Canonical encoding"):
// big-endian fixed-width integers, u16-length-prefixed UTF-8 strings, and hard size limits, so that one
// value has exactly one encoding and a signature over it is stable.
import { fromBase64, toBase64 } from '../encoding/base64';
import { VactError } from '../errors/error-codes';

/** Largest string field, in UTF-8 bytes. */
export const MAX_STRING_BYTES = 128;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Append-only builder of canonical bytes; validates every value before it is written. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  constructor(private readonly what: string) {}

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  u8(v: number): this {
    return this.bytes(Uint8Array.of(v));
  }

  u16(v: number): this {
    return this.bytes(Uint8Array.of(v >>> 8, v & 0xff));
  }

  /** A time or count: a non-negative safe integer, written as 64 bits. */
  u64(field: string, v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new VactError('INVALID_ENCODING', `${this.what}: ${field} must be a non-negative integer (ms since epoch), got ${String(v)}`);
    }
    const b = new Uint8Array(8);
    const view = new DataView(b.buffer);
    view.setUint32(0, Math.floor(v / 0x100000000));
    view.setUint32(4, v >>> 0);
    return this.bytes(b);
  }

  str(field: string, v: string): this {
    if (typeof v !== 'string') throw new VactError('INVALID_ENCODING', `${this.what}: ${field} must be a string`);
    const b = encoder.encode(v);
    if (b.length > MAX_STRING_BYTES) {
      throw new VactError('INVALID_ENCODING', `${this.what}: ${field} is ${b.length} bytes, the limit is ${MAX_STRING_BYTES}`);
    }
    return this.u16(b.length).bytes(b);
  }

  /** A value from a closed set, written as its 1-based position. */
  choice<T extends string>(field: string, v: T, options: readonly T[]): this {
    const i = options.indexOf(v);
    if (i < 0) throw new VactError('INVALID_ENCODING', `${this.what}: ${field} must be one of ${options.join(', ')}, got ${String(v)}`);
    return this.u8(i + 1);
  }

  /** Exactly `size` raw bytes given as base64 (keys, signatures). */
  base64(field: string, v: string, size: number): this {
    const b = fromBase64(v);
    if (b === null || b.length !== size) {
      throw new VactError('INVALID_ENCODING', `${this.what}: ${field} must be the base64 of ${size} bytes`);
    }
    return this.bytes(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Reader over canonical bytes; every shortfall or bad value is a VactError naming the field and offset. */
export class ByteReader {
  private at = 0;

  constructor(private readonly buf: Uint8Array, private readonly what: string) {}

  get offset(): number {
    return this.at;
  }

  fail(message: string): never {
    throw new VactError('INVALID_ENCODING', `${this.what}: ${message}`);
  }

  bytes(field: string, n: number): Uint8Array {
    if (this.buf.length - this.at < n) {
      this.fail(`truncated at byte ${this.at}: ${field} needs ${n} bytes, ${this.buf.length - this.at} left`);
    }
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u8(field: string): number {
    return this.bytes(field, 1)[0];
  }

  u16(field: string): number {
    const b = this.bytes(field, 2);
    return ((b[0]) << 8) | (b[1]);
  }

  u64(field: string): number {
    const at = this.at;
    const b = this.bytes(field, 8);
    const view = new DataView(b.buffer, b.byteOffset, 8);
    const hi = view.getUint32(0);
    if (hi > 0x1fffff) this.fail(`${field} at byte ${at} is beyond 2^53 ms`);
    return hi * 0x100000000 + view.getUint32(4);
  }

  str(field: string): string {
    const at = this.at;
    const n = this.u16(`${field} length`);
    if (n > MAX_STRING_BYTES) this.fail(`${field} at byte ${at} claims ${n} bytes, the limit is ${MAX_STRING_BYTES}`);
    const b = this.bytes(field, n);
    try {
      return decoder.decode(b);
    } catch {
      return this.fail(`${field} at byte ${at} is not valid UTF-8`);
    }
  }

  choice<T extends string>(field: string, options: readonly T[]): T {
    const at = this.at;
    const v = this.u8(field);
    const option = options[v - 1];
    if (v < 1 || option === undefined) this.fail(`${field} at byte ${at} has unknown value ${v}`);
    return option;
  }

  base64(field: string, size: number): string {
    return toBase64(this.bytes(field, size));
  }

  /** Throws unless every byte was consumed: trailing bytes would make the encoding non-canonical. */
  end(): void {
    if (this.at !== this.buf.length) this.fail(`${this.buf.length - this.at} trailing bytes after byte ${this.at}`);
  }
}

/** Checks a whole encoding against its size limit before any field is read. */
export function checkSize(what: string, bytes: Uint8Array, limit: number): void {
  if (!(bytes instanceof Uint8Array)) throw new VactError('INVALID_ENCODING', `${what}: expected bytes`);
  if (bytes.length > limit) throw new VactError('INVALID_ENCODING', `${what}: ${bytes.length} bytes, the limit is ${limit}`);
}

/** The bytes a signature covers: an ASCII domain-separation tag, a zero byte, then the canonical body. */
export function signedMessage(tag: string, body: Uint8Array): Uint8Array {
  const t = encoder.encode(tag);
  const out = new Uint8Array(t.length + 1 + body.length);
  out.set(t, 0);
  out.set(body, t.length + 1);
  return out;
}
