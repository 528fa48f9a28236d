// The Ed25519 the KMS host signs tickets with: libsodium (the optional sodium-native package) when it
// is installed and agrees with node:crypto, else node:crypto. Ed25519 signatures are deterministic, so
// both give the same bytes; libsodium takes about half the CPU time (≈19 µs against ≈38 µs a
// signature on the bench machine), and in a renewal storm the signature is the host's largest cost.
// Only the host's signing changes: keys, generation and every verification stay on node:crypto.
import { isEd25519Key, nodeEd25519 } from '@vact/shared/node';
import { VactError, type Ed25519 } from '@vact/shared/licensing';

/** Which library makes the host's signatures (shown by `vact host status`). */
export type HostSignerImplementation = 'libsodium' | 'node:crypto';

/** The few sodium-native functions used here. */
interface Sodium {
  crypto_sign_SECRETKEYBYTES: number;
  crypto_sign_PUBLICKEYBYTES: number;
  crypto_sign_BYTES: number;
  crypto_sign_seed_keypair(pk: Buffer, sk: Buffer, seed: Buffer): void;
  crypto_sign_detached(sig: Buffer, message: Uint8Array, sk: Buffer): void;
  sodium_malloc(size: number): Buffer;
  sodium_memzero(buf: Buffer): void;
}

/** The chosen Ed25519; `reason` says why libsodium is not used. */
export interface HostSigner { crypto: Ed25519; implementation: HostSignerImplementation; reason?: string }

let chosen: HostSigner | null = null;

/** The host's Ed25519, chosen once per process. */
export function hostEd25519(): HostSigner {
  chosen ??= choose();
  return chosen;
}

function choose(): HostSigner {
  if (process.env.VACT_KMS_SIGNER === 'node') return { crypto: nodeEd25519, implementation: 'node:crypto', reason: 'VACT_KMS_SIGNER=node' };
  let sodium: Sodium;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sodium = require('sodium-native') as Sodium;
  } catch (err) {
    return { crypto: nodeEd25519, implementation: 'node:crypto', reason: `sodium-native is not installed (${(err as Error).message.split('\n')[0]})` };
  }
  const crypto = sodiumEd25519(sodium);
  // A binary that signs differently from node:crypto is never trusted: check it once, on a throwaway key.
  const probe = nodeEd25519.generateKeyPair();
  const message = Buffer.from('vact/kms-host/signer-self-test');
  try {
    const a = Buffer.from(crypto.sign(probe.privateKey, message));
    const b = Buffer.from(nodeEd25519.sign(probe.privateKey, message));
    if (!a.equals(b)) return { crypto: nodeEd25519, implementation: 'node:crypto', reason: 'libsodium signed differently from node:crypto' };
  } catch (err) {
    return { crypto: nodeEd25519, implementation: 'node:crypto', reason: `libsodium failed its self-test (${(err as Error).message})` };
  } finally {
    crypto.forget(probe.privateKey);
  }
  return { crypto, implementation: 'libsodium' };
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
