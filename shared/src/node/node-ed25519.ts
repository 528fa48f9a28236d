// The Ed25519 interface on node:crypto (native code: the KMS host signs on its hot path).
// This is the only module of shared/ that binds to the platform's crypto; everything else takes an Ed25519.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { VactError } from '../errors/error-codes';
import type { Ed25519, Ed25519KeyPair } from '../crypto/signer';

// DER prefixes that turn raw 32-byte Ed25519 keys into PKCS#8 / SPKI documents (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Bound on each KeyObject cache: a host signs with one key and verifies against a handful. */
const CACHE_LIMIT = 256;
const privateCache = new Map<string, KeyObject>();
const publicCache = new Map<string, KeyObject>();

function remember(cache: Map<string, KeyObject>, key: string, value: KeyObject): KeyObject {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** Raw 32 bytes of a base64 key, or null when it is not exactly that. */
function rawKey(base64: string): Buffer | null {
  if (typeof base64 !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(base64)) return null;
  const raw = Buffer.from(base64, 'base64');
  return raw.length === 32 && raw.toString('base64') === base64 ? raw : null;
}

function privateKeyObject(privateKey: string): KeyObject {
  const cached = privateCache.get(privateKey);
  if (cached) return cached;
  const raw = rawKey(privateKey);
  if (!raw) throw new VactError('INVALID_CONFIG', 'an Ed25519 private key must be the base64 of its 32-byte seed');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  return remember(privateCache, privateKey, key);
}

function publicKeyObject(publicKey: string): KeyObject | null {
  const cached = publicCache.get(publicKey);
  if (cached) return cached;
  const raw = rawKey(publicKey);
  if (!raw) return null;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    return remember(publicCache, publicKey, key);
  } catch {
    return null;
  }
}

function rawPublicKey(key: KeyObject): string {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length).toString('base64');
}

/** The key pair of a 32-byte seed (deterministic: for test vectors and for keys restored from a seed). */
export function ed25519KeyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new VactError('INVALID_CONFIG', `an Ed25519 seed is 32 bytes, got ${seed.length}`);
  const privateKey = Buffer.from(seed).toString('base64');
  return { publicKey: rawPublicKey(privateKeyObject(privateKey)), privateKey };
}

/** The public key (base64 raw) that belongs to a private key (base64 raw seed). */
export function ed25519PublicKeyOf(privateKey: string): string {
  return rawPublicKey(privateKeyObject(privateKey));
}

/** True when `key` is the base64 of a 32-byte raw Ed25519 key. */
export function isEd25519Key(key: string): boolean {
  return rawKey(key) !== null;
}

/** Ed25519 on node:crypto, with KeyObjects cached per key string. */
export const nodeEd25519: Ed25519 = {
  generateKeyPair(): Ed25519KeyPair {
    const { privateKey } = generateKeyPairSync('ed25519');
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
    return { publicKey: rawPublicKey(privateKey), privateKey: seed.toString('base64') };
  },
  sign(privateKey: string, message: Uint8Array): Uint8Array {
    return new Uint8Array(nodeSign(null, message, privateKeyObject(privateKey)));
  },
  verify(publicKey: string, message: Uint8Array, signature: Uint8Array): boolean {
    const key = publicKeyObject(publicKey);
    if (!key || signature.length !== 64) return false;
    try {
      return nodeVerify(null, message, key, signature);
    } catch {
      return false;
    }
  },
};
