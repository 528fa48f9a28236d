// CONTRACT — implemented by the shared-crypto helper with node:crypto (native code on the KMS host hot path).
import type { Ed25519 } from './signer';
export declare const nodeEd25519: Ed25519;
