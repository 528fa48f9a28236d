// KMS wire frames (docs/protocol.md, "KMS wire protocol"): a 6-byte header — magic "VK", version,
// frame type, u16 body length — then the body. The header alone tells a reader how many bytes to
// wait for, and whether to give up before reading any more (wrong magic, version or size).
import { VactError } from '../../errors/error-codes';
import { ByteWriter } from '../../tickets/canonical-bytes';

/** "VK": lets a host tell a vact client from a stray connection at the first two bytes. */
export const KMS_MAGIC = Uint8Array.of(0x56, 0x4b);
export const KMS_WIRE_VERSION = 1;
export const KMS_HEADER_BYTES = 6;
/** Hard limit on a whole frame, header included: a response with a ticket and certificate is under 1 KiB. */
export const KMS_MAX_FRAME_BYTES = 4096;
/** Hard limit on a request frame: the host refuses anything larger before reading it. */
export const KMS_MAX_REQUEST_BYTES = 1024;

export const KmsFrameType = { request: 0x01, response: 0x02, error: 0x03 } as const;
export type KmsFrameTypeName = keyof typeof KmsFrameType;

export interface KmsFrameHeader {
  type: KmsFrameTypeName;
  /** Header plus body, in bytes. */
  frameBytes: number;
}

/** Frame type names by their byte, built once (a host reads a header for every request). */
const TYPE_NAMES = new Map<number, KmsFrameTypeName>((Object.keys(KmsFrameType) as KmsFrameTypeName[]).map((k) => [KmsFrameType[k], k]));

function typeName(v: number): KmsFrameTypeName | undefined {
  return TYPE_NAMES.get(v);
}

/**
 * Reads a frame header from the first 6 bytes of `bytes`; null while fewer have arrived.
 * Throws VactError (INVALID_ENCODING, VERSION_MISMATCH, PAYLOAD_TOO_LARGE) as soon as the header is wrong.
 */
export function readFrameHeader(bytes: Uint8Array, maxFrameBytes = KMS_MAX_FRAME_BYTES): KmsFrameHeader | null {
  if (bytes.length >= 1 && bytes[0] !== KMS_MAGIC[0]) throw new VactError('INVALID_ENCODING', `KMS frame: byte 0 is 0x${bytes[0].toString(16)}, not the magic "VK"`);
  if (bytes.length >= 2 && bytes[1] !== KMS_MAGIC[1]) throw new VactError('INVALID_ENCODING', `KMS frame: byte 1 is 0x${bytes[1].toString(16)}, not the magic "VK"`);
  if (bytes.length >= 3 && bytes[2] !== KMS_WIRE_VERSION) {
    throw new VactError('VERSION_MISMATCH', `KMS frame: wire version ${bytes[2]} (this build speaks version ${KMS_WIRE_VERSION})`, { version: bytes[2] });
  }
  if (bytes.length >= 4 && typeName(bytes[3]) === undefined) throw new VactError('INVALID_ENCODING', `KMS frame: unknown frame type ${bytes[3]} at byte 3`);
  if (bytes.length < KMS_HEADER_BYTES) return null;
  const frameBytes = KMS_HEADER_BYTES + ((bytes[4] << 8) | bytes[5]);
  if (frameBytes > maxFrameBytes) {
    throw new VactError('PAYLOAD_TOO_LARGE', `KMS frame: ${frameBytes} bytes, the limit is ${maxFrameBytes}`, { frameBytes, limit: maxFrameBytes });
  }
  return { type: typeName(bytes[3])!, frameBytes };
}

/** Wraps a body in a header. */
export function frame(type: KmsFrameTypeName, body: Uint8Array): Uint8Array {
  if (KMS_HEADER_BYTES + body.length > KMS_MAX_FRAME_BYTES) {
    throw new VactError('PAYLOAD_TOO_LARGE', `KMS frame: ${KMS_HEADER_BYTES + body.length} bytes, the limit is ${KMS_MAX_FRAME_BYTES}`);
  }
  const out = new Uint8Array(KMS_HEADER_BYTES + body.length);
  out.set(KMS_MAGIC, 0);
  out[2] = KMS_WIRE_VERSION;
  out[3] = KmsFrameType[type];
  out[4] = body.length >>> 8;
  out[5] = body.length & 0xff;
  out.set(body, KMS_HEADER_BYTES);
  return out;
}

/** Splits a whole frame into its header and body; throws when the length field and the bytes disagree. */
export function unframe(bytes: Uint8Array, maxFrameBytes = KMS_MAX_FRAME_BYTES): { type: KmsFrameTypeName; body: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw new VactError('INVALID_ENCODING', 'KMS frame: expected bytes');
  if (bytes.length > maxFrameBytes) throw new VactError('PAYLOAD_TOO_LARGE', `KMS frame: ${bytes.length} bytes, the limit is ${maxFrameBytes}`);
  const header = readFrameHeader(bytes, maxFrameBytes);
  if (!header) throw new VactError('INVALID_ENCODING', `KMS frame: truncated header (${bytes.length} of ${KMS_HEADER_BYTES} bytes)`);
  if (bytes.length !== header.frameBytes) {
    throw new VactError('INVALID_ENCODING', `KMS frame: the header announces ${header.frameBytes} bytes, ${bytes.length} arrived`);
  }
  return { type: header.type, body: bytes.subarray(KMS_HEADER_BYTES) };
}

/** A writer that starts with a header of `type` whose length finishFrame fills in: a frame in one buffer. */
export function frameWriter(type: KmsFrameTypeName, what: string, sizeHint = 256): ByteWriter {
  return new ByteWriter(what, sizeHint).bytes(KMS_MAGIC).u8(KMS_WIRE_VERSION).u8(KmsFrameType[type]).u16(0);
}

/** The frame a frameWriter holds, its body length filled in. */
export function finishFrame(w: ByteWriter): Uint8Array {
  if (w.size > KMS_MAX_FRAME_BYTES) throw new VactError('PAYLOAD_TOO_LARGE', `KMS frame: ${w.size} bytes, the limit is ${KMS_MAX_FRAME_BYTES}`);
  return w.patchU16(4, w.size - KMS_HEADER_BYTES).finish();
}
