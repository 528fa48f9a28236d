// CONTRACT — implemented by the shared-crypto helper. Keys travel as base64 of the raw 32-byte Ed25519 keys.
export interface Ed25519KeyPair { publicKey: string; privateKey: string } // base64 raw (private: 32-byte seed)
/** The small crypto interface shared/ signs and verifies through; node-ed25519.ts implements it with node:crypto. */
export interface Ed25519 {
  generateKeyPair(): Ed25519KeyPair;
  sign(privateKey: string, message: Uint8Array): Uint8Array;
  verify(publicKey: string, message: Uint8Array, signature: Uint8Array): boolean;
}
