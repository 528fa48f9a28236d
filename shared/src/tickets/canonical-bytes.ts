// The canonical byte encoding shared by certificates and tickets (docs/protocol.md, "Canonical encoding"):
// big-endian fixed-width integers, u16-length-prefixed UTF-8 strings, and hard size limits, so that one
// value has exactly one encoding and a signature over it is stable.
import { fromBase64, toBase64 } from '../encoding/base64';
import { VactError } from '../errors/error-codes';

/** Largest string field, in UTF-8 bytes. */
export const MAX_STRING_BYTES = 128;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Writes `v` at `at` as UTF-8 when it is ASCII (the usual case: ids, hashes, edition names); -1 otherwise. */
function writeAscii(out: Uint8Array, at: number, v: string): number {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0x7f) return -1;
    out[at + i] = c;
  }
  return v.length;
}

/**
 * Append-only builder of canonical bytes; validates every value before it is written. One buffer,
 * grown when needed, so a field costs no allocation of its own (the KMS host writes one per request).
 */
export class ByteWriter {
  private buf: Uint8Array;
  private length = 0;

  constructor(private readonly what: string, sizeHint = 256) {
    this.buf = new Uint8Array(sizeHint);
  }

  /** Bytes written so far. */
  get size(): number {
    return this.length;
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.length + n));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  /** A u32, big-endian (callers check the range). */
  u32(v: number): this {
    this.room(4);
    const b = this.buf;
    b[this.length++] = (v >>> 24) & 0xff;
    b[this.length++] = (v >>> 16) & 0xff;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = v & 0xff;
    return this;
  }

  /** A time or count: a non-negative safe integer, written as 64 bits. */
  u64(field: string, v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new VactError('INVALID_ENCODING', `${this.what}: ${field} must be a non-negative integer (ms since epoch), got ${String(v)}`);
    }
    return this.u32(Math.floor(v / 0x100000000)).u32(v >>> 0);
  }

  str(field: string, v: string): this {
    if (typeof v !== 'string') throw new VactError('INVALID_ENCODING', `${this.what}: ${field} must be a string`);
    if (v.length <= MAX_STRING_BYTES) {
      this.room(2 + v.length);
      const n = writeAscii(this.buf, this.length + 2, v);
      if (n >= 0) return this.u16(n).skip(n);
    }
    const b = encoder.encode(v);
    if (b.length > MAX_STRING_BYTES) {
      throw new VactError('INVALID_ENCODING', `${this.what}: ${field} is ${b.length} bytes, the limit is ${MAX_STRING_BYTES}`);
    }
    return this.u16(b.length).bytes(b);
  }

  /** Counts `n` bytes already placed just past the end (by writeAscii). */
  private skip(n: number): this {
    this.length += n;
    return this;
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

  /** Overwrites a u16 written earlier at `at` (a length known only once what follows is written). */
  patchU16(at: number, v: number): this {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
    return this;
  }

  /** The bytes written, in an array of their own (the writer's, when its size hint was exact). */
  finish(): Uint8Array {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
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

  /** A u32, big-endian. */
  u32(field: string): number {
    const b = this.bytes(field, 4);
    return b[0] * 0x1000000 + ((b[1] << 16) | (b[2] << 8) | b[3]);
  }

  u64(field: string): number {
    const at = this.at;
    const hi = this.u32(field);
    if (hi > 0x1fffff) this.fail(`${field} at byte ${at} is beyond 2^53 ms`);
    return hi * 0x100000000 + this.u32(field);
  }

  str(field: string): string {
    const at = this.at;
    // The length's field name is built only when it is missing: a KMS host reads three strings a request.
    if (this.buf.length - at < 2) this.bytes(`${field} length`, 2);
    const n = this.u16(field);
    if (n > MAX_STRING_BYTES) this.fail(`${field} at byte ${at} claims ${n} bytes, the limit is ${MAX_STRING_BYTES}`);
    const b = this.bytes(field, n);
    let ascii = true;
    for (let i = 0; i < b.length && ascii; i++) ascii = b[i] < 0x80;
    // apply, not a spread: a spread walks an iterator and builds an array first (garbage on every call).
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
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

/** The few domain-separation tags, encoded once. */
const tagBytes = new Map<string, Uint8Array>();

/** The bytes a signature covers: an ASCII domain-separation tag, a zero byte, then the canonical body. */
export function signedMessage(tag: string, body: Uint8Array): Uint8Array {
  let t = tagBytes.get(tag);
  if (!t) tagBytes.set(tag, (t = encoder.encode(tag)));
  const out = new Uint8Array(t.length + 1 + body.length);
  out.set(t, 0);
  out.set(body, t.length + 1);
  return out;
}
