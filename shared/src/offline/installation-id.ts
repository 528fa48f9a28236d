// Installation IDs: everything the authority needs to MAK-activate a machine offline, as digit
// groups a person can read out or paste (DESIGN §1; docs/protocol.md, "Installation ID").
import { sha256, toHex } from '../crypto/sha256';
import { VactError } from '../errors/error-codes';
import { KEY_ALPHABET } from '../keys/product-key';
import { ByteWriter, signedMessage } from '../tickets/canonical-bytes';
import { dammCheckDigit } from './damm';

export interface InstallationIdFields { key: string; hardwareHash: string; edition: string; cmid: string }

/** IID format version carried in its first 4 bits. */
export const INSTALLATION_ID_VERSION = 1;
/** Data digits per group; each group adds one check digit. */
export const IID_GROUP_DATA_DIGITS = 5;
/** Groups in an IID (25 groups of 6 digits = 150 digits). */
export const IID_GROUPS = 25;

// One integer, most significant first: version (4 bits) | edition index (12 bits) | key (25 base-24
// symbols of the key alphabet, < 2^115) | cmid (128 bits) | hardware hash (128 bits) | checksum (28 bits).
// The payload before the checksum is < 2^387, so the whole value fits in 125 decimal digits (10^125 > 2^415).
const EDITION_BITS = 12n;
const KEY_RADIX = BigInt(KEY_ALPHABET.length);
const KEY_LENGTH = 25;
const ID_BITS = 128n;
const CHECKSUM_BITS = 28n;
const PAYLOAD_BITS = 387n;
const PAYLOAD_BYTES = 49;
const CHECKSUM_TAG = 'vact/iid-checksum/v1';
const NONCE_TAG = 'vact/iid-nonce/v1';
const MAX_INPUT_CHARS = 1024;

const HEX128 = /^[0-9a-f]{32}$/;

/** True when `s` is a canonical hardware hash: 32 lower-case hex chars (128 bits). */
export function isHardwareHash(s: unknown): s is string {
  return typeof s === 'string' && HEX128.test(s);
}

/** True when `s` is a canonical CMID: 32 lower-case hex chars (128 bits). */
export function isCmid(s: unknown): s is string {
  return typeof s === 'string' && HEX128.test(s);
}

/**
 * A key in canonical form (upper case, XXXXX-XXXXX-XXXXX-XXXXX-XXXXX). The IID carries any 25
 * symbols of the key alphabet; whether the key is genuine is the authority's decision, not the IID's.
 */
function canonicalKey(key: string): string {
  const chars = typeof key === 'string' ? key.replace(/[\s-]/g, '').toUpperCase() : '';
  if (chars.length !== KEY_LENGTH) throw new VactError('INVALID_KEY', `the key has ${chars.length} characters, expected ${KEY_LENGTH} (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)`);
  const bad = [...chars].findIndex((c) => !KEY_ALPHABET.includes(c));
  if (bad >= 0) throw new VactError('INVALID_KEY', `the key's character ${bad + 1} ('${chars[bad]}') is not in the key alphabet ${KEY_ALPHABET}`);
  return chars.match(/.{5}/g)!.join('-');
}

function fail(detail: string, details?: Record<string, unknown>): never {
  throw new VactError('INVALID_INSTALLATION_ID', detail, details);
}

function checksumOf(payload: bigint): bigint {
  const bytes = new Uint8Array(PAYLOAD_BYTES);
  let v = payload;
  for (let i = PAYLOAD_BYTES - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  const digest = sha256(signedMessage(CHECKSUM_TAG, bytes));
  return BigInt('0x' + toHex(digest.subarray(0, 4))) >> (32n - CHECKSUM_BITS);
}

/** Digit groups, each with a check digit, for reading out or pasting. */
export function encodeInstallationId(f: InstallationIdFields, _catalogueGroups: readonly string[], editionIds: readonly string[]): string {
  const key = canonicalKey(f.key);
  const edition = editionIds.indexOf(f.edition);
  if (edition < 0) throw new VactError('UNKNOWN_EDITION', `edition ${f.edition} is not in the catalogue`, { edition: f.edition });
  if (edition >= 1 << Number(EDITION_BITS)) throw new VactError('INVALID_CATALOGUE', `an installation ID can name only the first ${1 << Number(EDITION_BITS)} editions`);
  if (!isCmid(f.cmid)) throw new VactError('INVALID_REQUEST', 'the CMID must be 32 lower-case hex chars');
  if (!isHardwareHash(f.hardwareHash)) throw new VactError('INVALID_REQUEST', 'the hardware hash must be 32 lower-case hex chars');

  let payload = BigInt(INSTALLATION_ID_VERSION);
  payload = (payload << EDITION_BITS) | BigInt(edition);
  for (const ch of key.replace(/-/g, '')) payload = payload * KEY_RADIX + BigInt(KEY_ALPHABET.indexOf(ch));
  payload = (payload << ID_BITS) | BigInt('0x' + f.cmid);
  payload = (payload << ID_BITS) | BigInt('0x' + f.hardwareHash);
  const value = (payload << CHECKSUM_BITS) | checksumOf(payload);

  const digits = value.toString(10).padStart(IID_GROUPS * IID_GROUP_DATA_DIGITS, '0');
  const groups: string[] = [];
  for (let g = 0; g < IID_GROUPS; g++) {
    const data = digits.slice(g * IID_GROUP_DATA_DIGITS, (g + 1) * IID_GROUP_DATA_DIGITS);
    groups.push(data + String(dammCheckDigit(data, g + 1)));
  }
  return groups.join('-');
}

/** Splits pasted or typed text into 6-digit groups; spaces, dashes and line breaks are separators. */
function groupsOf(text: string): string[] {
  if (typeof text !== 'string') fail('expected text');
  if (text.length > MAX_INPUT_CHARS) fail(`${text.length} characters, an installation ID has ${IID_GROUPS * (IID_GROUP_DATA_DIGITS + 1)} digits`);
  const bad = /[^\d\s-]/.exec(text);
  if (bad) fail(`character '${bad[0]}' at position ${bad.index + 1} is not a digit`);
  const size = IID_GROUP_DATA_DIGITS + 1;
  const tokens = text.split(/[\s-]+/).filter((t) => t.length > 0);
  // Keep the groups as the person wrote them when they did; otherwise cut the digits into groups.
  if (tokens.length > 1 && tokens.every((t) => t.length === size)) return tokens;
  return tokens.join('').match(new RegExp(`.{1,${size}}`, 'g')) ?? [];
}

/** Reads an IID; VactError('INVALID_INSTALLATION_ID') names the group that is wrong. */
export function decodeInstallationId(text: string, _catalogueGroups: readonly string[], editionIds: readonly string[]): InstallationIdFields {
  const groups = groupsOf(text);
  const size = IID_GROUP_DATA_DIGITS + 1;
  // Check digits are seeded with the group's position, so the first failing group is where the ID went wrong.
  const firstBad = groups.findIndex((group, g) => group.length !== size || dammCheckDigit(group.slice(0, IID_GROUP_DATA_DIGITS), g + 1) !== Number(group[IID_GROUP_DATA_DIGITS]));
  if (groups.length !== IID_GROUPS) {
    const where = firstBad >= 0 ? `; group ${firstBad + 1} is the first that does not check` : '';
    fail(`${groups.length} groups, expected ${IID_GROUPS} (a group is ${groups.length < IID_GROUPS ? 'missing' : 'repeated'}${where})`, { groups: groups.length });
  }
  if (firstBad >= 0) {
    const group = groups[firstBad];
    if (group.length !== size) fail(`group ${firstBad + 1} (${group}): has ${group.length} digits, expected ${size}`, { group: firstBad + 1 });
    fail(`group ${firstBad + 1} (${group}): check digit mismatch`, { group: firstBad + 1 });
  }
  const value = BigInt(groups.map((g) => g.slice(0, IID_GROUP_DATA_DIGITS)).join(''));
  const payload = value >> CHECKSUM_BITS;
  if (payload >> PAYLOAD_BITS !== 0n || checksumOf(payload) !== (value & ((1n << CHECKSUM_BITS) - 1n))) {
    fail('checksum mismatch: every group is well formed, so two groups are swapped or one is from another installation ID');
  }
  const mask = (1n << ID_BITS) - 1n;
  const hardwareHash = (payload & mask).toString(16).padStart(32, '0');
  const cmid = ((payload >> ID_BITS) & mask).toString(16).padStart(32, '0');
  let rest = payload >> (2n * ID_BITS);
  let key = '';
  for (let i = 0; i < KEY_LENGTH; i++) {
    key = (KEY_ALPHABET[Number(rest % KEY_RADIX)]) + key;
    rest /= KEY_RADIX;
  }
  const edition = Number(rest & ((1n << EDITION_BITS) - 1n));
  const version = Number(rest >> EDITION_BITS);
  if (version !== INSTALLATION_ID_VERSION) fail(`version ${version}, this build reads version ${INSTALLATION_ID_VERSION}`);
  const editionId = editionIds[edition];
  if (editionId === undefined) fail(`edition number ${edition} is not in this catalogue (${editionIds.length} editions)`);
  return { key: key.match(/.{5}/g)!.join('-'), hardwareHash, edition: editionId, cmid };
}

/** The nonce an offline ticket is bound to, derived from the IID fields (32 hex chars). */
export function installationIdNonce(f: InstallationIdFields): string {
  const fields = new ByteWriter('installation ID nonce')
    .str('key', canonicalKey(f.key))
    .str('hardwareHash', f.hardwareHash)
    .str('edition', f.edition)
    .str('cmid', f.cmid)
    .finish();
  return toHex(sha256(signedMessage(NONCE_TAG, fields)).subarray(0, 16));
}
