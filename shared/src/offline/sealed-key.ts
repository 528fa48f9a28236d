// A product key sealed to the authority (docs/protocol.md, "Sealed key"): ECIES over X25519 with
// HKDF-SHA256 and HMAC-SHA256 from audited libraries. Keys carry no secret — anyone can make the
// key of any group and serial — so the key, its body and its serial never travel in clear: the
// installation ID and a dropped MAK's reactivation carry this seal instead, which only the
// authority's private key opens.
import { ed25519, x25519 } from '@noble/curves/ed25519';
import { equalBytes } from '@noble/curves/utils';
import { hkdf } from '@noble/hashes/hkdf';
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { fromBase64 } from '../encoding/base64';
import { VactError } from '../errors/error-codes';
import { KEY_BODY_BYTES, productKeyBody, productKeyFromBody } from '../keys/product-key';
import { ByteWriter, signedMessage } from '../tickets/canonical-bytes';

/** Bytes of the ephemeral X25519 public key in a seal. */
export const SEAL_EPHEMERAL_BYTES = 32;
/** Bytes of the bind key that authenticates what a seal is sent with. */
export const SEAL_BIND_KEY_BYTES = 32;
/** Bytes of the proof sent with a sealed key to the online MAK endpoint. */
export const MAK_PROOF_BYTES = 16;
const KDF_INFO = 'vact/sealed-key/v1';
const PROOF_TAG = 'vact/mak-proof/v1';

/**
 * A key sealed to one authority, as the agent keeps it. `bindKey` stays on the machine: it is
 * what makes an installation ID or a reactivation request with this seal, and the authority
 * derives the same bind key when it opens the seal.
 */
export interface SealedKey {
  /** The authority's Ed25519 public key (base64) the key is sealed to. */
  authorityKey: string;
  /** Ephemeral X25519 public key, 64 hex chars. */
  ephemeralPublicKey: string;
  /** The key body XOR the HKDF key stream, 16 hex chars. */
  ciphertext: string;
  /** HMAC key for tags over what the seal travels with, 64 hex chars. */
  bindKey: string;
}

/** The public part of a seal, as it travels: ephemeral public key and ciphertext. */
export interface SealParts { ephemeralPublicKey: Uint8Array; ciphertext: Uint8Array }

function authorityX25519(authorityKey: string): Uint8Array {
  const ed = fromBase64(authorityKey);
  if (!ed || ed.length !== 32) throw new VactError('INVALID_CONFIG', 'the authority key must be base64 of a 32-byte Ed25519 public key');
  try {
    return ed25519.utils.toMontgomery(ed);
  } catch {
    throw new VactError('INVALID_CONFIG', 'the authority key is not an Ed25519 public key');
  }
}

/** Key stream (8 bytes) and bind key (32 bytes) of one seal, from the X25519 shared secret. */
function derive(shared: Uint8Array, ephemeralPublicKey: Uint8Array, recipient: Uint8Array): { stream: Uint8Array; bindKey: Uint8Array } {
  const okm = hkdf(sha256, shared, concatBytes(ephemeralPublicKey, recipient), utf8ToBytes(KDF_INFO), KEY_BODY_BYTES + SEAL_BIND_KEY_BYTES);
  return { stream: okm.subarray(0, KEY_BODY_BYTES), bindKey: okm.slice(KEY_BODY_BYTES) };
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((v, i) => v ^ b[i]);
}

/**
 * Seals `key` (a well-formed product key) to the authority whose Ed25519 public key is
 * `authorityKey`. `ephemeralSecret` is 32 fresh random bytes, used for this seal only and then
 * forgotten: whoever keeps it can open the seal.
 */
export function sealProductKey(key: string, authorityKey: string, ephemeralSecret: Uint8Array): SealedKey {
  if (ephemeralSecret.length !== 32) throw new VactError('INTERNAL', 'a seal needs 32 random bytes');
  const recipient = authorityX25519(authorityKey);
  const ephemeralPublicKey = x25519.getPublicKey(ephemeralSecret);
  const { stream, bindKey } = derive(x25519.getSharedSecret(ephemeralSecret, recipient), ephemeralPublicKey, recipient);
  return {
    authorityKey, ephemeralPublicKey: bytesToHex(ephemeralPublicKey), ciphertext: bytesToHex(xor(productKeyBody(key), stream)), bindKey: bytesToHex(bindKey),
  };
}

/** The travelling parts of a stored seal. */
export function sealParts(seal: SealedKey): SealParts {
  return { ephemeralPublicKey: hexToBytes(seal.ephemeralPublicKey), ciphertext: hexToBytes(seal.ciphertext) };
}

/**
 * Authority side: the key in a seal and the seal's bind key, with the authority's Ed25519 seed
 * (32 bytes). The caller must check a tag under the bind key before it trusts the key: an
 * altered ciphertext opens to another body. Throws INVALID_KEY when the body is no key's.
 */
export function openSealedKey(parts: SealParts, authoritySeed: Uint8Array): { key: string; bindKey: Uint8Array } {
  if (parts.ephemeralPublicKey.length !== SEAL_EPHEMERAL_BYTES || parts.ciphertext.length !== KEY_BODY_BYTES) {
    throw new VactError('INVALID_KEY', 'a sealed key has a 32-byte ephemeral key and an 8-byte ciphertext');
  }
  const secret = ed25519.utils.toMontgomerySecret(authoritySeed);
  const recipient = x25519.getPublicKey(secret);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, parts.ephemeralPublicKey);
  } catch {
    throw new VactError('INVALID_KEY', 'the sealed key\'s ephemeral key is not a usable X25519 key');
  }
  const { stream, bindKey } = derive(shared, parts.ephemeralPublicKey, recipient);
  return { key: productKeyFromBody(xor(parts.ciphertext, stream)), bindKey };
}

/** HMAC-SHA256 under the bind key of `tag || 0x00 || data`, cut to `length` bytes. */
export function bindTag(bindKey: Uint8Array, tag: string, data: Uint8Array, length: number): Uint8Array {
  return hmac(sha256, bindKey, signedMessage(tag, data)).slice(0, length);
}

/** Constant-time comparison of a received tag with the expected one. */
export function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && equalBytes(a, b);
}

/** What an online MAK activation with a sealed key proves it was made for. */
export interface MakProofFields { cmid: string; hardwareHash: string; edition: string; nonce: string }

/** The proof (hex) that binds a sealed key to one online MAK activation request. */
export function makProof(bindKey: Uint8Array, parts: SealParts, f: MakProofFields): string {
  const data = new ByteWriter('MAK proof')
    .bytes(parts.ephemeralPublicKey).bytes(parts.ciphertext)
    .str('cmid', f.cmid).str('hardwareHash', f.hardwareHash).str('edition', f.edition).str('nonce', f.nonce)
    .finish();
  return bytesToHex(bindTag(bindKey, PROOF_TAG, data, MAK_PROOF_BYTES));
}

/** The bind key of a stored seal, as bytes. */
export function bindKeyOf(seal: SealedKey): Uint8Array {
  return hexToBytes(seal.bindKey);
}
