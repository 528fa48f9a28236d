// SHA-256 for the platform-free core (IID checksum and nonce, CID checksum, hardware hash):
// the audited pure implementation from @noble/hashes, so no hand-written cryptography and no node:crypto.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** SHA-256 digest (32 bytes) of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-256 of a UTF-8 string, as lowercase hex. */
export function sha256HexOfText(text: string): string {
  return bytesToHex(nobleSha256(utf8ToBytes(text)));
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}
