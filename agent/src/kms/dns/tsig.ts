// TSIG (RFC 8945) with HMAC-SHA256 over node:crypto: sign an outgoing DNS message and verify the
// server's MAC on its reply. No npm package signs TSIG; the framing is here, the cryptography is
// node:crypto's HMAC and timingSafeEqual.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TsigKey } from './tsig-key';
import { nameWire, recordOffsets } from './wire-name';

const TYPE_TSIG = 250;
const CLASS_ANY = 255;
export const TSIG_FUDGE_S = 300;
/** RFC 8945 TSIG error codes, by number. */
export const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

function u48(v: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(v, 0, 6);
  return b;
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

// The TSIG variables the MAC covers after the message (RFC 8945 §4.3.3).
function variables(key: TsigKey, timeSigned: number, fudge: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([nameWire(key.name), u16(CLASS_ANY), Buffer.alloc(4), nameWire(key.algorithm), u48(timeSigned), u16(fudge), u16(error), u16(other.length), other]);
}

function hmac(key: TsigKey, ...parts: Buffer[]): Buffer {
  const h = createHmac('sha256', key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Appends a TSIG record to `msg` (bumping ARCOUNT); returns the signed message and its MAC. */
export function signMessage(msg: Buffer, key: TsigKey, nowMs: number): { signed: Buffer; mac: Buffer } {
  const timeSigned = Math.floor(nowMs / 1000);
  const mac = hmac(key, msg, variables(key, timeSigned, TSIG_FUDGE_S, 0, Buffer.alloc(0)));
  const rdata = Buffer.concat([nameWire(key.algorithm), u48(timeSigned), u16(TSIG_FUDGE_S), u16(mac.length), mac, msg.subarray(0, 2), u16(0), u16(0)]);
  const rr = Buffer.concat([nameWire(key.name), u16(TYPE_TSIG), u16(CLASS_ANY), Buffer.alloc(4), u16(rdata.length), rdata]);
  const signed = Buffer.concat([msg, rr]);
  signed.writeUInt16BE(signed.readUInt16BE(10) + 1, 10);
  return { signed, mac };
}

export type TsigCheck =
  | { ok: true }
  | { ok: false; reason: 'unsigned' | 'bad-mac' | 'bad-time' | 'wrong-key'; error?: string };

/** Verifies the TSIG on a reply to a request whose MAC was `requestMac` (RFC 8945 §5.3). */
export function verifyReply(reply: Buffer, key: TsigKey, requestMac: Buffer, nowMs: number): TsigCheck {
  let records;
  try {
    records = recordOffsets(reply);
  } catch {
    return { ok: false, reason: 'unsigned' };
  }
  const last = records[records.length - 1];
  if (!last || reply.readUInt16BE(10) === 0) return { ok: false, reason: 'unsigned' };
  const name = nameWire(key.name);
  const rrName = reply.subarray(last.start, last.start + name.length);
  let at = last.start + name.length;
  if (at + 10 > reply.length || reply.readUInt16BE(at) !== TYPE_TSIG) return { ok: false, reason: 'unsigned' };
  if (!rrName.equals(name)) return { ok: false, reason: 'wrong-key' };
  at += 10;
  try {
    const alg = nameWire(key.algorithm);
    if (!reply.subarray(at, at + alg.length).equals(alg)) return { ok: false, reason: 'wrong-key' };
    at += alg.length;
    const timeSigned = reply.readUIntBE(at, 6);
    const fudge = reply.readUInt16BE(at + 6);
    const macLen = reply.readUInt16BE(at + 8);
    const mac = reply.subarray(at + 10, at + 10 + macLen);
    at += 10 + macLen;
    const originalId = reply.subarray(at, at + 2);
    const error = reply.readUInt16BE(at + 2);
    const otherLen = reply.readUInt16BE(at + 4);
    const other = reply.subarray(at + 6, at + 6 + otherLen);
    if (error !== 0 && macLen === 0) return { ok: false, reason: 'unsigned', error: TSIG_ERRORS[error] ?? String(error) };
    const body = Buffer.from(reply.subarray(0, last.start));
    originalId.copy(body, 0);
    body.writeUInt16BE(body.readUInt16BE(10) - 1, 10);
    const want = hmac(key, u16(requestMac.length), requestMac, body, variables(key, timeSigned, fudge, error, other));
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return { ok: false, reason: 'bad-mac' };
    if (Math.abs(Math.floor(nowMs / 1000) - timeSigned) > fudge) return { ok: false, reason: 'bad-time' };
    if (error !== 0) return { ok: false, reason: 'bad-mac', error: TSIG_ERRORS[error] ?? String(error) };
    return { ok: true };
  } catch {
    return { ok: false, reason: 'unsigned' };
  }
}
