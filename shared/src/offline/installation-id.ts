// Installation IDs: what the authority needs to MAK-activate a machine offline, as digit groups a
// person can read out or paste (DESIGN §1; docs/protocol.md, "Installation ID"). The key travels
// only sealed to the authority: whoever hears or holds an IID learns no key, and cannot make one
// for another machine with it (the tag needs the seal's bind key, which stays on the machine).
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { sha256, toHex } from '../crypto/sha256';
import { VactError } from '../errors/error-codes';
import { KEY_BODY_BYTES } from '../keys/product-key';
import { signedMessage } from '../tickets/canonical-bytes';
import { dammCheckDigit } from './damm';
import { bindKeyOf, bindTag, openSealedKey, sealParts, SEAL_EPHEMERAL_BYTES, tagsEqual, type SealedKey } from './sealed-key';

/** What a machine puts in its installation ID. */
export interface InstallationIdInput { edition: string; cmid: string; hardwareHash: string; seal: SealedKey }

/** A decoded installation ID: the machine in clear, the key only sealed. */
export interface InstallationId {
  version: number;
  edition: string;
  cmid: string;
  hardwareHash: string;
  /** The seal's ephemeral X25519 public key (64 hex chars). */
  ephemeralPublicKey: string;
  /** The sealed key body (16 hex chars). */
  sealedKey: string;
  /** HMAC tag under the seal's bind key over everything before it (24 hex chars). */
  tag: string;
}

/** IID format version carried in its first 4 bits. Version 1 carried the key in clear and is refused. */
export const INSTALLATION_ID_VERSION = 2;
/** Data digits per group; each group adds one check digit. */
export const IID_GROUP_DATA_DIGITS = 5;
/** Groups in an IID (44 groups of 6 digits = 264 digits). */
export const IID_GROUPS = 44;
/** Bytes of the IID tag. */
export const IID_TAG_BYTES = 12;

// Payload bytes: version (4 bits) | edition index (12 bits) | cmid (16) | hardware hash (16) |
// ephemeral key (32) | sealed key body (8) | tag (12) = 86 bytes; value = payload · 2^28 + checksum,
// < 2^716 < 10^220, written as 220 digits.
const EDITION_BITS = 12;
const HEADER_BYTES = 2;
const TAGGED_BYTES = HEADER_BYTES + 16 + 16 + SEAL_EPHEMERAL_BYTES + KEY_BODY_BYTES;
const PAYLOAD_BYTES = TAGGED_BYTES + IID_TAG_BYTES;
const CHECKSUM_BITS = 28n;
const CHECKSUM_TAG = 'vact/iid-checksum/v2';
const IID_TAG = 'vact/iid-tag/v2';
const NONCE_TAG = 'vact/iid-nonce/v2';
const MAX_INPUT_CHARS = 1024;
/** Groups of a version-1 IID, recognised only to say why it is refused. */
const V1_GROUPS = 25;

const HEX128 = /^[0-9a-f]{32}$/;

/** True when `s` is a canonical hardware hash: 32 lower-case hex chars (128 bits). */
export function isHardwareHash(s: unknown): s is string {
  return typeof s === 'string' && HEX128.test(s);
}

/** True when `s` is a canonical CMID: 32 lower-case hex chars (128 bits). */
export function isCmid(s: unknown): s is string {
  return typeof s === 'string' && HEX128.test(s);
}

function fail(detail: string, details?: Record<string, unknown>): never {
  throw new VactError('INVALID_INSTALLATION_ID', detail, details);
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function toBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function checksumOf(payload: Uint8Array): bigint {
  const digest = sha256(signedMessage(CHECKSUM_TAG, payload));
  return toBigInt(digest.subarray(0, 4)) >> (32n - CHECKSUM_BITS);
}

/** The 74 bytes the tag covers. */
function taggedBytes(version: number, edition: number, cmid: string, hardwareHash: string, ephemeralPublicKey: Uint8Array, sealedKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(TAGGED_BYTES);
  out[0] = (version << 4) | (edition >> 8);
  out[1] = edition & 0xff;
  out.set(hexToBytes(cmid), 2);
  out.set(hexToBytes(hardwareHash), 18);
  out.set(ephemeralPublicKey, 34);
  out.set(sealedKey, 34 + SEAL_EPHEMERAL_BYTES);
  return out;
}

function payloadOf(iid: InstallationId, editionIndex: number): Uint8Array {
  const out = new Uint8Array(PAYLOAD_BYTES);
  out.set(taggedBytes(iid.version, editionIndex, iid.cmid, iid.hardwareHash, hexToBytes(iid.ephemeralPublicKey), hexToBytes(iid.sealedKey)));
  out.set(hexToBytes(iid.tag), TAGGED_BYTES);
  return out;
}

/** Digit groups, each with a check digit, for reading out or pasting; the same input always gives the same IID. */
export function encodeInstallationId(f: InstallationIdInput, editionIds: readonly string[]): string {
  const edition = editionIds.indexOf(f.edition);
  if (edition < 0) throw new VactError('UNKNOWN_EDITION', `edition ${f.edition} is not in the catalogue`, { edition: f.edition });
  if (edition >= 1 << EDITION_BITS) throw new VactError('INVALID_CATALOGUE', `an installation ID can name only the first ${1 << EDITION_BITS} editions`);
  if (!isCmid(f.cmid)) throw new VactError('INVALID_REQUEST', 'the CMID must be 32 lower-case hex chars');
  if (!isHardwareHash(f.hardwareHash)) throw new VactError('INVALID_REQUEST', 'the hardware hash must be 32 lower-case hex chars');
  const parts = sealParts(f.seal);
  const tagged = taggedBytes(INSTALLATION_ID_VERSION, edition, f.cmid, f.hardwareHash, parts.ephemeralPublicKey, parts.ciphertext);
  const payload = new Uint8Array(PAYLOAD_BYTES);
  payload.set(tagged);
  payload.set(bindTag(bindKeyOf(f.seal), IID_TAG, tagged, IID_TAG_BYTES), TAGGED_BYTES);
  const value = (toBigInt(payload) << CHECKSUM_BITS) | checksumOf(payload);

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

/** Reads an IID; VactError('INVALID_INSTALLATION_ID') names the group that is wrong. Carries no key: see openInstallationId. */
export function decodeInstallationId(text: string, editionIds: readonly string[]): InstallationId {
  const groups = groupsOf(text);
  const size = IID_GROUP_DATA_DIGITS + 1;
  // Check digits are seeded with the group's position, so the first failing group is where the ID went wrong.
  const firstBad = groups.findIndex((group, g) => group.length !== size || dammCheckDigit(group.slice(0, IID_GROUP_DATA_DIGITS), g + 1) !== Number(group[IID_GROUP_DATA_DIGITS]));
  if (groups.length === V1_GROUPS && firstBad < 0) {
    fail('this is a version 1 installation ID, which carried the product key in clear and is no longer accepted; show the installation ID again with an up-to-date agent (vact offline iid)', { version: 1 });
  }
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
  const big = value >> CHECKSUM_BITS;
  const payload = toBytes(big, PAYLOAD_BYTES);
  if (big >> BigInt(PAYLOAD_BYTES * 8) !== 0n || checksumOf(payload) !== (value & ((1n << CHECKSUM_BITS) - 1n))) {
    fail('checksum mismatch: every group is well formed, so two groups are swapped or one is from another installation ID');
  }
  const version = payload[0] >> 4;
  if (version !== INSTALLATION_ID_VERSION) fail(`version ${version}, this build reads version ${INSTALLATION_ID_VERSION}`);
  const edition = ((payload[0] & 0x0f) << 8) | payload[1];
  const editionId = editionIds[edition];
  if (editionId === undefined) fail(`edition number ${edition} is not in this catalogue (${editionIds.length} editions)`);
  const at = (from: number, length: number): string => bytesToHex(payload.subarray(from, from + length));
  return {
    version, edition: editionId, cmid: at(2, 16), hardwareHash: at(18, 16),
    ephemeralPublicKey: at(34, SEAL_EPHEMERAL_BYTES), sealedKey: at(34 + SEAL_EPHEMERAL_BYTES, KEY_BODY_BYTES), tag: at(TAGGED_BYTES, IID_TAG_BYTES),
  };
}

/**
 * Authority side: the product key an IID was made with, opened with the authority's Ed25519
 * seed. Throws INVALID_INSTALLATION_ID unless the tag verifies, i.e. unless the machine that
 * holds the seal made this very IID for this authority.
 */
export function openInstallationId(iid: InstallationId, editionIds: readonly string[], authoritySeed: Uint8Array): string {
  const edition = editionIds.indexOf(iid.edition);
  if (edition < 0) throw new VactError('UNKNOWN_EDITION', `edition ${iid.edition} is not in the catalogue`, { edition: iid.edition });
  const ephemeralPublicKey = hexToBytes(iid.ephemeralPublicKey);
  const ciphertext = hexToBytes(iid.sealedKey);
  let opened: { key: string; bindKey: Uint8Array } | null = null;
  try {
    opened = openSealedKey({ ephemeralPublicKey, ciphertext }, authoritySeed);
  } catch {
    opened = null;
  }
  const tagged = taggedBytes(iid.version, edition, iid.cmid, iid.hardwareHash, ephemeralPublicKey, ciphertext);
  if (!opened || !tagsEqual(bindTag(opened.bindKey, IID_TAG, tagged, IID_TAG_BYTES), hexToBytes(iid.tag))) {
    fail('it was not made for this authority, or it was altered (its tag does not verify)');
  }
  return opened.key;
}

/** The 86 payload bytes of a decoded IID (before the checksum and the decimal digits), for test vectors and tools. */
export function installationIdPayload(iid: InstallationId, editionIds: readonly string[]): Uint8Array {
  const edition = editionIds.indexOf(iid.edition);
  if (edition < 0) throw new VactError('UNKNOWN_EDITION', `edition ${iid.edition} is not in the catalogue`, { edition: iid.edition });
  return payloadOf(iid, edition);
}

/** The nonce an offline ticket is bound to: a hash of the whole IID (32 hex chars); it reveals nothing of the key. */
export function installationIdNonce(iid: InstallationId, editionIds: readonly string[]): string {
  return toHex(sha256(signedMessage(NONCE_TAG, installationIdPayload(iid, editionIds))).subarray(0, 16));
}
