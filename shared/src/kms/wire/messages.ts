// The three KMS messages (docs/protocol.md, "KMS wire protocol"): request, response, error.
// Encoders validate every field; decoders refuse anything malformed with a VactError and never
// throw anything else, so a host can answer garbage with a clean error frame.
import { ErrorCodes, VactError, type ErrorCodeName } from '../../errors/error-codes';
import { LicenseStatusCode, type LicenseStatus } from '../../lifecycle/types';
import { ByteReader } from '../../tickets/canonical-bytes';
import { decodeTicket, encodedTicketView, type Ticket } from '../../tickets/ticket';
import { toHex } from '../../crypto/sha256';
import { checkU32, parseHex } from './bytes';
import { finishFrame, frameWriter, KMS_MAX_FRAME_BYTES, unframe, type KmsFrameTypeName } from './frame';

/** A client's request: who asks, for what edition, in what state. */
export interface KmsRequest {
  /** 32 hex characters (128-bit CMID). */
  cmid: string;
  /** 32 hex characters, echoed in the response and bound into the ticket. */
  nonce: string;
  /** The client's clock, ms since epoch: the host refuses more than 4 hours of skew. */
  clientTime: number;
  edition: string;
  /** The client runs in a virtual machine (shown in `vact host clients`). */
  vm: boolean;
  licenseStatus: LicenseStatus;
  remainingGraceMinutes: number;
  machineName: string;
  /** The client's hardware hash: bound into the ticket, and tells cloned CMIDs apart. */
  hardwareHash: string;
  /** The client verifies batch-signed tickets (flag bit 1): the host may sign its ticket with others under one root. */
  batchTickets?: boolean;
}

/** A host's answer; a count below the threshold is an answer, not an error. */
export interface KmsResponse {
  nonce: string;
  count: number;
  activated: boolean;
  /** The CMID was seen from another machine name or hardware: the client should regenerate it. */
  duplicateCmid: boolean;
  activationIntervalMinutes: number;
  renewalIntervalMinutes: number;
  hostTime: number;
  /** Present exactly when activated. */
  ticket?: Ticket;
}

/** A refusal, with a code from the error catalogue. */
export interface KmsErrorReply {
  /** The request's nonce; 32 zeros when the request could not be read. */
  nonce: string;
  /** Catalogue number; `code` is its name when this build knows it. */
  number: number;
  code?: ErrorCodeName;
  hostTime: number;
  detail: string;
}

export type KmsMessage =
  | { type: 'request'; request: KmsRequest }
  | { type: 'response'; response: KmsResponse }
  | { type: 'error'; error: KmsErrorReply };

export const ZERO_NONCE = '0'.repeat(32);
const STATUS_BY_CODE = new Map<number, LicenseStatus>((Object.keys(LicenseStatusCode) as LicenseStatus[]).map((s) => [LicenseStatusCode[s], s]));
const FLAG_VM = 0x01;
const FLAG_BATCH_TICKETS = 0x02;
const FLAG_ACTIVATED = 0x01;
const FLAG_DUPLICATE = 0x02;
const CODE_BY_NUMBER = new Map<number, ErrorCodeName>((Object.keys(ErrorCodes) as ErrorCodeName[]).map((k) => [ErrorCodes[k].number, k]));

function id16(field: string, hex: string): Uint8Array {
  const b = typeof hex === 'string' && hex.length === 32 ? parseHex(hex, true) : null;
  if (!b) throw new VactError('INVALID_ENCODING', `KMS frame: ${field} must be 32 lowercase hex characters`);
  return b;
}

function statusCode(s: LicenseStatus): number {
  const c = LicenseStatusCode[s];
  if (c === undefined) throw new VactError('INVALID_ENCODING', `KMS frame: unknown license status ${String(s)}`);
  return c;
}

/** Encodes a request frame. */
export function encodeKmsRequest(q: KmsRequest): Uint8Array {
  const w = frameWriter('request', 'KMS request')
    .bytes(id16('cmid', q.cmid))
    .bytes(id16('nonce', q.nonce))
    .u64('clientTime', q.clientTime)
    .str('edition', q.edition)
    .u8((q.vm ? FLAG_VM : 0) | (q.batchTickets ? FLAG_BATCH_TICKETS : 0))
    .u8(statusCode(q.licenseStatus))
    .u32(checkU32('remainingGraceMinutes', q.remainingGraceMinutes))
    .str('machineName', q.machineName)
    .str('hardwareHash', q.hardwareHash);
  return finishFrame(w);
}

/** Bytes of a response frame before its ticket. */
const RESPONSE_FIXED_BYTES = 6 + 16 + 4 + 1 + 4 + 4 + 8 + 2;

/** Encodes a response frame; a ticket must be present exactly when activated. */
export function encodeKmsResponse(p: KmsResponse): Uint8Array {
  if (p.activated !== (p.ticket !== undefined)) throw new VactError('INVALID_ENCODING', 'KMS response: a ticket goes with an activation, and only with one');
  const ticket = p.ticket ? encodedTicketView(p.ticket) : new Uint8Array(0);
  const w = frameWriter('response', 'KMS response', RESPONSE_FIXED_BYTES + ticket.length)
    .bytes(id16('nonce', p.nonce))
    .u32(checkU32('count', p.count))
    .u8((p.activated ? FLAG_ACTIVATED : 0) | (p.duplicateCmid ? FLAG_DUPLICATE : 0))
    .u32(checkU32('activationIntervalMinutes', p.activationIntervalMinutes))
    .u32(checkU32('renewalIntervalMinutes', p.renewalIntervalMinutes))
    .u64('hostTime', p.hostTime)
    .u16(ticket.length)
    .bytes(ticket);
  return finishFrame(w);
}

/** Encodes an error frame. */
export function encodeKmsError(e: KmsErrorReply): Uint8Array {
  if (!Number.isInteger(e.number) || e.number < 0 || e.number > 0xffff) throw new VactError('INVALID_ENCODING', `KMS error: number ${String(e.number)} is not a u16`);
  const w = frameWriter('error', 'KMS error')
    .bytes(id16('nonce', e.nonce))
    .u16(e.number)
    .u64('hostTime', e.hostTime)
    .str('detail', truncateUtf8(e.detail, 128));
  return finishFrame(w);
}

/** An error frame for a catalogue error. */
export function kmsErrorFrom(err: VactError, nonce: string, hostTime: number): KmsErrorReply {
  return { nonce, number: err.number, code: err.code, hostTime, detail: err.message };
}

// Details are for people; cut them to the string limit at a character boundary rather than refuse.
function truncateUtf8(s: string, maxBytes: number): string {
  const enc = new TextEncoder();
  let out = String(s);
  while (enc.encode(out).length > maxBytes) out = out.slice(0, -1);
  return out;
}

function readRequest(r: ByteReader): KmsRequest {
  const cmid = toHex(r.bytes('cmid', 16));
  const nonce = toHex(r.bytes('nonce', 16));
  const clientTime = r.u64('clientTime');
  const edition = r.str('edition');
  const flagsAt = r.offset;
  const flags = r.u8('flags');
  if ((flags & ~(FLAG_VM | FLAG_BATCH_TICKETS)) !== 0) r.fail(`flags at byte ${flagsAt} has unknown bits 0x${flags.toString(16)}`);
  const statusAt = r.offset;
  const code = r.u8('licenseStatus');
  const licenseStatus = STATUS_BY_CODE.get(code);
  if (licenseStatus === undefined) r.fail(`licenseStatus at byte ${statusAt} has unknown value ${code}`);
  const remainingGraceMinutes = r.u32('remainingGraceMinutes');
  const machineName = r.str('machineName');
  const hardwareHash = r.str('hardwareHash');
  const q: KmsRequest = { cmid, nonce, clientTime, edition, vm: (flags & FLAG_VM) !== 0, licenseStatus, remainingGraceMinutes, machineName, hardwareHash };
  if ((flags & FLAG_BATCH_TICKETS) !== 0) q.batchTickets = true;
  return q;
}

function readResponse(r: ByteReader): KmsResponse {
  const nonce = toHex(r.bytes('nonce', 16));
  const count = r.u32('count');
  const flagsAt = r.offset;
  const flags = r.u8('flags');
  if ((flags & ~(FLAG_ACTIVATED | FLAG_DUPLICATE)) !== 0) r.fail(`flags at byte ${flagsAt} has unknown bits 0x${flags.toString(16)}`);
  const activationIntervalMinutes = r.u32('activationIntervalMinutes');
  const renewalIntervalMinutes = r.u32('renewalIntervalMinutes');
  const hostTime = r.u64('hostTime');
  const lengthAt = r.offset;
  const length = r.u16('ticket length');
  const activated = (flags & FLAG_ACTIVATED) !== 0;
  if (activated !== (length > 0)) r.fail(`ticket length at byte ${lengthAt} is ${length} but the activated flag is ${activated ? 1 : 0}`);
  const response: KmsResponse = { nonce, count, activated, duplicateCmid: (flags & FLAG_DUPLICATE) !== 0, activationIntervalMinutes, renewalIntervalMinutes, hostTime };
  if (length > 0) response.ticket = decodeTicket(r.bytes('ticket', length));
  return response;
}

function readError(r: ByteReader): KmsErrorReply {
  const nonce = toHex(r.bytes('nonce', 16));
  const number = r.u16('number');
  const hostTime = r.u64('hostTime');
  const detail = r.str('detail');
  const code = CODE_BY_NUMBER.get(number);
  return { nonce, number, ...(code !== undefined ? { code } : {}), hostTime, detail };
}

/**
 * Decodes one whole frame. Throws only VactError (INVALID_ENCODING, VERSION_MISMATCH,
 * PAYLOAD_TOO_LARGE); `expect` refuses a frame of another type (a host reads only requests).
 */
export function decodeKmsFrame(bytes: Uint8Array, expect?: readonly KmsFrameTypeName[], maxFrameBytes = KMS_MAX_FRAME_BYTES): KmsMessage {
  try {
    const { type, body } = unframe(bytes, maxFrameBytes);
    if (expect && !expect.includes(type)) throw new VactError('INVALID_ENCODING', `KMS frame: a ${type} frame where ${expect.join(' or ')} was expected`);
    const r = new ByteReader(body, `KMS ${type}`);
    let message: KmsMessage;
    if (type === 'request') message = { type, request: readRequest(r) };
    else if (type === 'response') message = { type, response: readResponse(r) };
    else message = { type, error: readError(r) };
    r.end();
    return message;
  } catch (err) {
    if (err instanceof VactError) throw err;
    // Belt and braces: whatever a malformed frame trips in a lower layer becomes a clean error.
    throw new VactError('INVALID_ENCODING', `KMS frame: ${err instanceof Error ? err.message : String(err)}`);
  }
}
