// Product keys: 25 characters in five groups of five over a 24-symbol alphabet (DESIGN §5).
// The format, the checksum and the proof that it catches every single-character typo and
// every adjacent swap are in docs/product-keys.md. Keys carry no secret: anyone can make a
// well-formed key; only the authority, which stores every key it issued, can tell a
// genuine one from a forged one.
import { VactError } from '../errors/error-codes';

import type { KeyType } from '../lifecycle/license-schemas';
export type { KeyType };

export interface DecodedKey {
  /** Canonical form XXXXX-XXXXX-XXXXX-XXXXX-XXXXX, upper case. */
  key: string;
  type: KeyType;
  group: string; // GroupId
  /** Always a number (0 … 2^53-1) when decoded; encode accepts a number or a bigint. */
  serial: bigint | number;
  /** Last five characters, for display ("partial product key"). */
  partial: string;
}

/** The groups a key's group index refers to: a list of group ids, or a catalogue (its `groups` in file order). */
export type KeyGroups = readonly string[] | { readonly groups: readonly { readonly id: string }[] };

/** The 24 key symbols: no 0/O/Q, 1/I/L, 2/Z, 5/S, B (8) or U (V), so a key read aloud or off a label is unambiguous. */
export const KEY_ALPHABET = 'ACDEFGHJKMNPRTVWXY346789';
/** Number of symbols in a key, without dashes. */
export const KEY_LENGTH = 25;
/** The key format version encoded in every key. */
export const KEY_VERSION = 1;
/** Largest serial a key can carry (2^53 - 1, so serials stay exact JavaScript numbers). */
export const MAX_KEY_SERIAL = Number.MAX_SAFE_INTEGER;
/** Largest number of product-key groups a key can refer to (5-bit group index). */
export const MAX_KEY_GROUPS = 32;

const BASE = 24n;
const PAYLOAD_SYMBOLS = 23;
/** Prime modulus of the weighted symbol check; prime and > 24, see docs/product-keys.md. */
const CHECK_MODULUS = 29;
const TYPE_CODES: readonly KeyType[] = ['kms-client', 'kms-host', 'mak'];

// Payload (105 bits < 24^23): [ body (63 bits, whitened) | hash (42 bits) ]
// body = version (3) | type (2) | group index (5) | serial (53)
const HASH_BITS = 42n;
const HASH_MASK = (1n << HASH_BITS) - 1n;
const BODY_BITS = 63n;
const BODY_MASK = (1n << BODY_BITS) - 1n;
const SERIAL_BITS = 53n;
const SERIAL_MASK = (1n << SERIAL_BITS) - 1n;
const PAYLOAD_LIMIT = 1n << (BODY_BITS + HASH_BITS);
const U64 = (1n << 64n) - 1n;

const SYMBOL_VALUE: ReadonlyMap<string, number> = new Map([...KEY_ALPHABET].map((ch, i) => [ch, i]));

/** FNV-1a (64-bit) of the body's 8 big-endian bytes: a cheap integrity hash, so random garbage is not a "valid" key. */
function bodyHash(body: bigint): bigint {
  let h = 0xcbf29ce484222325n;
  for (let shift = 56n; shift >= 0n; shift -= 8n) {
    h ^= (body >> shift) & 0xffn;
    h = (h * 0x100000001b3n) & U64;
  }
  return h & HASH_MASK;
}

/** splitmix64 of the hash: a mask that makes keys of consecutive serials look unrelated. */
function whitening(hash: bigint): bigint {
  let z = (hash + 0x9e3779b97f4a7c15n) & U64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & U64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & U64;
  return (z ^ (z >> 31n)) & BODY_MASK;
}

/** Weight of symbol position i (0-based): 1 … 25, distinct and nonzero modulo 29. */
function weight(i: number): number {
  return i + 1;
}

/**
 * The two check symbols that make sum(weight(i) * symbol(i)) ≡ 0 (mod 29). About 19 of the 24
 * first symbols have a partner; the canonical pair is the first one found starting from
 * (sum of the payload symbols) mod 24, so check symbols are spread over the alphabet.
 */
function checkSymbols(payload: readonly number[]): [number, number] {
  let sum = 0;
  for (let i = 0; i < PAYLOAD_SYMBOLS; i++) sum += weight(i) * payload[i];
  const a = weight(PAYLOAD_SYMBOLS);
  const b = weight(PAYLOAD_SYMBOLS + 1);
  const bInverse = modInverse(b, CHECK_MODULUS);
  let start = 0;
  for (let i = 0; i < PAYLOAD_SYMBOLS; i++) start += payload[i];
  for (let step = 0; step < 24; step++) {
    const x = (start + step) % 24;
    const y = mod((-sum - a * x) * bInverse, CHECK_MODULUS);
    if (y < 24) return [x, y];
  }
  // Unreachable: as x runs over 24 values, y runs over 24 distinct residues, at most 5 of them >= 24.
  throw new VactError('INTERNAL', 'no check symbols found');
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

function modInverse(n: number, m: number): number {
  for (let k = 1; k < m; k++) if ((n * k) % m === 1) return k;
  throw new VactError('INTERNAL', `${n} has no inverse modulo ${m}`);
}

function groupIds(groups: KeyGroups): readonly string[] {
  return Array.isArray(groups) ? (groups as readonly string[]) : (groups as { groups: readonly { id: string }[] }).groups.map((g) => g.id);
}

function format(symbols: readonly number[]): string {
  const chars = symbols.map((v) => KEY_ALPHABET[v]).join('');
  return [0, 5, 10, 15, 20].map((i) => chars.slice(i, i + 5)).join('-');
}

/** Strips dashes and whitespace, upper-cases, and checks length and alphabet; returns the 25 symbol values. */
function readSymbols(input: string): number[] {
  if (typeof input !== 'string') throw new VactError('INVALID_KEY', 'the key must be a string');
  // Bound the work before normalising: a key with generous spacing is still well under 200 characters.
  if (input.length > 200) throw new VactError('INVALID_KEY', `the input is ${input.length} characters long; a key has 25 characters`);
  const chars = [...input.replace(/[\s-]+/g, '').toUpperCase()];
  const symbols: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const v = SYMBOL_VALUE.get(chars[i]);
    if (v === undefined) {
      throw new VactError('INVALID_KEY', `character ${i + 1} '${chars[i]}' is not in the key alphabet (${KEY_ALPHABET})`, {
        position: i + 1,
        character: chars[i],
      });
    }
    symbols.push(v);
  }
  if (symbols.length !== KEY_LENGTH) {
    throw new VactError('INVALID_KEY', `the key has ${symbols.length} characters; it must have ${KEY_LENGTH} (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)`, {
      length: symbols.length,
    });
  }
  return symbols;
}

/** Encodes a key of the given type, group and serial; groups are the catalogue's groups (or their ids, in catalogue order). */
export function encodeProductKey(fields: { type: KeyType; group: string; serial: bigint | number }, catalogueGroups: KeyGroups): string {
  const typeCode = TYPE_CODES.indexOf(fields.type);
  if (typeCode < 0) throw new VactError('INVALID_KEY', `unknown key type "${String(fields.type)}" (expected kms-client, kms-host or mak)`);
  const ids = groupIds(catalogueGroups);
  const groupIndex = ids.indexOf(fields.group);
  if (groupIndex < 0) throw new VactError('UNKNOWN_GROUP', `"${fields.group}" is not one of ${ids.join(', ')}`, { group: fields.group });
  if (groupIndex >= MAX_KEY_GROUPS) throw new VactError('INVALID_KEY', `group "${fields.group}" is at index ${groupIndex}; keys address at most ${MAX_KEY_GROUPS} groups`);
  const serial = fields.serial;
  const serialOk = typeof serial === 'bigint' ? serial >= 0n && serial <= BigInt(MAX_KEY_SERIAL) : Number.isSafeInteger(serial) && serial >= 0;
  if (!serialOk) throw new VactError('INVALID_KEY', `serial ${String(serial)} is not an integer from 0 to ${MAX_KEY_SERIAL}`);

  return encodeRawProductKey({ version: KEY_VERSION, typeCode, groupIndex, serial: BigInt(serial) });
}

/** Encodes raw field codes without checking them (for tests and tools that need odd keys, e.g. a future version). */
export function encodeRawProductKey(raw: { version: number; typeCode: number; groupIndex: number; serial: bigint }): string {
  const body =
    ((BigInt(raw.version) & 7n) << 60n) | ((BigInt(raw.typeCode) & 3n) << 58n) | ((BigInt(raw.groupIndex) & 31n) << 53n) | (raw.serial & SERIAL_MASK);
  const hash = bodyHash(body);
  let payload = ((body ^ whitening(hash)) << HASH_BITS) | hash;
  const symbols = new Array<number>(PAYLOAD_SYMBOLS);
  for (let i = PAYLOAD_SYMBOLS - 1; i >= 0; i--) {
    symbols[i] = Number(payload % BASE);
    payload /= BASE;
  }
  return format([...symbols, ...checkSymbols(symbols)]);
}

/** The 25 symbols and the checked 63-bit body of a key; throws VactError('INVALID_KEY') on a typo or a non-vact key. */
function readBody(input: string): { symbols: number[]; body: bigint } {
  const symbols = readSymbols(input);
  const payloadSymbols = symbols.slice(0, PAYLOAD_SYMBOLS);
  const [x, y] = checkSymbols(payloadSymbols);
  if (symbols[PAYLOAD_SYMBOLS] !== x || symbols[PAYLOAD_SYMBOLS + 1] !== y) {
    throw new VactError('INVALID_KEY', 'checksum mismatch (a character is mistyped or two are swapped)');
  }
  let payload = 0n;
  for (const v of payloadSymbols) payload = payload * BASE + BigInt(v);
  const hash = payload & HASH_MASK;
  const body = (payload >> HASH_BITS) ^ whitening(hash);
  if (payload >= PAYLOAD_LIMIT || bodyHash(body) !== hash) {
    throw new VactError('INVALID_KEY', 'checksum mismatch (the key is not a vact product key)');
  }
  return { symbols, body };
}

/** Bytes of a key body: what a sealed key carries (docs/protocol.md, "Sealed key"). */
export const KEY_BODY_BYTES = 8;

/**
 * The key's body (version, type, group index, serial) as 8 big-endian bytes. The body and the
 * key determine each other, so the body is as secret as the key: it only ever travels sealed.
 */
export function productKeyBody(input: string): Uint8Array {
  let v = readBody(input).body;
  const out = new Uint8Array(KEY_BODY_BYTES);
  for (let i = KEY_BODY_BYTES - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The key whose body is `body` (8 bytes, as productKeyBody gives); throws INVALID_KEY for a body no key has. */
export function productKeyFromBody(body: Uint8Array): string {
  if (body.length !== KEY_BODY_BYTES) throw new VactError('INVALID_KEY', `a key body has ${KEY_BODY_BYTES} bytes, got ${body.length}`);
  let v = 0n;
  for (const b of body) v = (v << 8n) | BigInt(b);
  if (v > BODY_MASK) throw new VactError('INVALID_KEY', 'the key body is out of range');
  return encodeRawProductKey({ version: Number(v >> 60n), typeCode: Number((v >> 58n) & 3n), groupIndex: Number((v >> 53n) & 31n), serial: v & SERIAL_MASK });
}

/** Decodes and checks a key typed by a person (any case, dashes and spaces optional); throws VactError('INVALID_KEY') saying exactly what is wrong. */
export function decodeProductKey(input: string, catalogueGroups: KeyGroups): DecodedKey {
  const { symbols, body } = readBody(input);
  const version = Number(body >> 60n);
  if (version !== KEY_VERSION) throw new VactError('INVALID_KEY', `unsupported key format version ${version} (this vact reads version ${KEY_VERSION})`);
  const type = TYPE_CODES[Number((body >> 58n) & 3n)];
  if (type === undefined) throw new VactError('INVALID_KEY', 'unknown key type code 3');
  const ids = groupIds(catalogueGroups);
  const groupIndex = Number((body >> 53n) & 31n);
  const group = ids[groupIndex];
  if (group === undefined) {
    throw new VactError('INVALID_KEY', `the key is for product-key group #${groupIndex + 1}, but this catalogue has only ${ids.length} groups`, { groupIndex });
  }
  const key = format(symbols);
  return { key, type, group, serial: Number(body & SERIAL_MASK), partial: key.slice(-5) };
}

/** The last five characters of a key (its "partial product key"), for display; checks form, not checksum. */
export function partialKey(key: string): string {
  const symbols = readSymbols(key);
  return symbols
    .slice(-5)
    .map((v) => KEY_ALPHABET[v])
    .join('');
}

/** True when `input` is a well-formed key (checksum and known group); never throws. */
export function isWellFormedProductKey(input: string, catalogueGroups: KeyGroups): boolean {
  try {
    decodeProductKey(input, catalogueGroups);
    return true;
  } catch {
    return false;
  }
}
