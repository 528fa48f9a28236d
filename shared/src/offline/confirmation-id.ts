// Confirmation IDs: a signed ticket as text that survives copy/paste, line breaks, spaces and case
// changes (docs/protocol.md, "Confirmation ID").
import { sha256 } from '../crypto/sha256';
import { VactError } from '../errors/error-codes';
import { signedMessage } from '../tickets/canonical-bytes';
import { decodeTicket, encodeTicket, MAX_TICKET_BYTES, type Ticket } from '../tickets/ticket';
import { fromCrockford, toCrockford } from './crockford-base32';

/** Symbols per dash-separated group. */
export const CID_GROUP_SYMBOLS = 5;
/** Bytes of checksum appended to the ticket bytes before base32. */
export const CID_CHECKSUM_BYTES = 4;
const CHECKSUM_TAG = 'vact/cid-checksum/v1';
const MAX_SYMBOLS = Math.ceil(((MAX_TICKET_BYTES + CID_CHECKSUM_BYTES) * 8) / 5);
// Separators may at most double the text (one per symbol), plus line-break slack.
const MAX_INPUT_CHARS = MAX_SYMBOLS * 3;

export interface ConfirmationIdFormat {
  /** Groups per line; 0 puts everything on one line. Default 8. */
  groupsPerLine?: number;
}

function checksum(bytes: Uint8Array): Uint8Array {
  return sha256(signedMessage(CHECKSUM_TAG, bytes)).subarray(0, CID_CHECKSUM_BYTES);
}

function fail(reason: string): never {
  throw new VactError('INVALID_CONFIRMATION_ID', reason, { reason });
}

/** Text form of a signed ticket: Crockford base32 of ticket bytes + checksum, in dash-joined groups of 5, wrapped. */
export function encodeConfirmationId(t: Ticket, format: ConfirmationIdFormat = {}): string {
  const bytes = encodeTicket(t);
  const all = new Uint8Array(bytes.length + CID_CHECKSUM_BYTES);
  all.set(bytes);
  all.set(checksum(bytes), bytes.length);
  const groups = toCrockford(all).match(new RegExp(`.{1,${CID_GROUP_SYMBOLS}}`, 'g')) ?? [];
  const perLine = format.groupsPerLine ?? 8;
  if (perLine <= 0) return groups.join('-');
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += perLine) lines.push(groups.slice(i, i + perLine).join('-'));
  return lines.join('\n');
}

/** Reads a confirmation ID in any case, with any spaces, dashes and line breaks; VactError('INVALID_CONFIRMATION_ID') with the reason. */
export function decodeConfirmationId(text: string): Ticket {
  if (typeof text !== 'string') fail('expected text');
  if (text.length > MAX_INPUT_CHARS) fail(`${text.length} characters is longer than any confirmation ID`);
  const symbols = text.replace(/[\s-]/g, '');
  if (symbols.length === 0) fail('it is empty');
  if (symbols.length > MAX_SYMBOLS) fail(`${symbols.length} symbols is longer than any confirmation ID`);
  const decoded = fromCrockford(symbols);
  if (!decoded.ok) fail(decoded.reason);
  const all = decoded.bytes;
  if (all.length <= CID_CHECKSUM_BYTES) fail('it is too short (text cut)');
  const bytes = all.subarray(0, all.length - CID_CHECKSUM_BYTES);
  const expected = checksum(bytes);
  const got = all.subarray(all.length - CID_CHECKSUM_BYTES);
  if (!expected.every((b, i) => b === got[i])) fail('checksum mismatch: the text was cut or altered; paste the whole confirmation ID');
  try {
    return decodeTicket(bytes);
  } catch (e) {
    return fail(`it does not hold a ticket: ${(e as Error).message}`);
  }
}
