// The Ed25519 the KMS host signs tickets with: libsodium (the optional sodium-native package) when it
// is installed and agrees with node:crypto, else node:crypto. Ed25519 signatures are deterministic, so
// both give the same bytes; libsodium takes about half the CPU time (≈19 µs against ≈38 µs a
// signature on the bench machine), and in a renewal storm the signature is the host's largest cost.
// Only the host's signing changes: keys, generation and every verification stay on node:crypto.
// The SHA-256 of batch roots comes from the same library (libsodium's is ≈1 µs for a ticket, node's ≈2).
import { hash as nodeHash } from 'node:crypto';
import { isEd25519Key, nodeEd25519 } from '@vact/shared/node';
import { VactError, type Ed25519, type Sha256 } from '@vact/shared/licensing';

/** Which library makes the host's signatures (shown by `vact host status`). */
export type HostSignerImplementation = 'libsodium' | 'node:crypto';

/** The few sodium-native functions used here. */
interface Sodium {
  crypto_sign_SECRETKEYBYTES: number;
  crypto_sign_PUBLICKEYBYTES: number;
  crypto_sign_BYTES: number;
  crypto_sign_seed_keypair(pk: Buffer, sk: Buffer, seed: Buffer): void;
  crypto_sign_detached(sig: Buffer, message: Uint8Array, sk: Buffer): void;
  crypto_hash_sha256_BYTES: number;
  crypto_hash_sha256(out: Buffer, message: Uint8Array): void;
  sodium_malloc(size: number): Buffer;
  sodium_memzero(buf: Buffer): void;
}

/** The chosen Ed25519 and SHA-256; `reason` says why libsodium is not used. */
export interface HostSigner { crypto: Ed25519; sha256: Sha256; implementation: HostSignerImplementation; reason?: string }

const nodeSha256: Sha256 = (data) => nodeHash('sha256', data, 'buffer');
const onNode = (reason: string): HostSigner => ({ crypto: nodeEd25519, sha256: nodeSha256, implementation: 'node:crypto', reason });

let chosen: HostSigner | null = null;

/** The host's Ed25519, chosen once per process. */
export function hostEd25519(): HostSigner {
  chosen ??= choose();
  return chosen;
}

function choose(): HostSigner {
  if (process.env.VACT_KMS_SIGNER === 'node') return onNode('VACT_KMS_SIGNER=node');
  let sodium: Sodium;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sodium = require('sodium-native') as Sodium;
  } catch (err) {
    return onNode(`sodium-native is not installed (${(err as Error).message.split('\n')[0]})`);
  }
  const crypto = sodiumEd25519(sodium);
  const sha256: Sha256 = (data) => {
    const out = Buffer.allocUnsafe(sodium.crypto_hash_sha256_BYTES);
    sodium.crypto_hash_sha256(out, data);
    return out;
  };
  // A binary that signs differently from node:crypto is never trusted: check it once, on a throwaway key.
  const probe = nodeEd25519.generateKeyPair();
  const message = Buffer.from('vact/kms-host/signer-self-test');
  try {
    const a = Buffer.from(crypto.sign(probe.privateKey, message));
    const b = Buffer.from(nodeEd25519.sign(probe.privateKey, message));
    if (!a.equals(b)) return onNode('libsodium signed differently from node:crypto');
    if (!Buffer.from(sha256(message)).equals(nodeSha256(message))) return onNode('libsodium hashed differently from node:crypto');
  } catch (err) {
    return onNode(`libsodium failed its self-test (${(err as Error).message})`);
  } finally {
    crypto.forget(probe.privateKey);
  }
  return { crypto, sha256, implementation: 'libsodium' };
}

/** Ed25519 signing on libsodium, with the expanded secret key of each seed kept in guarded memory. */
export function sodiumEd25519(sodium: Sodium): Ed25519 & { forget(privateKey: string): void } {
  const secretKeys = new Map<string, Buffer>();
  const secretKey = (privateKey: string): Buffer => {
    let sk = secretKeys.get(privateKey);
    if (!sk) {
      // The check node:crypto's signer makes: a malformed key is refused, never signed with.
      if (!isEd25519Key(privateKey)) throw new VactError('INVALID_CONFIG', 'an Ed25519 private key must be the base64 of its 32-byte seed');
      const seed = Buffer.from(privateKey, 'base64');
      const pk = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
      sk = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
      sodium.crypto_sign_seed_keypair(pk, sk, seed);
      seed.fill(0);
      // A host signs with one key at a time; a certificate renewal with a new key replaces it.
      for (const [k, old] of secretKeys) {
        sodium.sodium_memzero(old);
        secretKeys.delete(k);
      }
      secretKeys.set(privateKey, sk);
    }
    return sk;
  };
  return {
    generateKeyPair: () => nodeEd25519.generateKeyPair(),
    verify: (publicKey, message, signature) => nodeEd25519.verify(publicKey, message, signature),
    sign(privateKey, message) {
      const sig = Buffer.allocUnsafe(sodium.crypto_sign_BYTES);
      sodium.crypto_sign_detached(sig, message, secretKey(privateKey));
      return sig;
    },
    forget(privateKey) {
      const sk = secretKeys.get(privateKey);
      if (sk) sodium.sodium_memzero(sk);
      secretKeys.delete(privateKey);
    },
  };
}
