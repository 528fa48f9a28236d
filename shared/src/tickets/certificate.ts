// CONTRACT — implemented by the shared-crypto helper.
import type { Ed25519 } from '../crypto/signer';
export interface HostCertificateBody {
  version: 1;
  serial: string; // random id
  hostPublicKey: string; // base64 raw Ed25519
  hostKeyGroup: string; // GroupId of the KMS host key
  hostHardwareHash: string;
  hostEdition: string;
  issuedAt: number; // ms since epoch
  validUntil: number; // ms since epoch
}
export interface HostCertificate { body: HostCertificateBody; signature: string } // base64, by the authority root key
export declare function signHostCertificate(crypto: Ed25519, rootPrivateKey: string, body: HostCertificateBody): HostCertificate;
/** Throws VactError('INVALID_SIGNATURE' | 'CERTIFICATE_EXPIRED') unless the certificate chains to rootPublicKey and is valid at `now`. */
export declare function verifyHostCertificate(crypto: Ed25519, rootPublicKey: string, cert: HostCertificate, now: number): void;
export declare function encodeHostCertificate(cert: HostCertificate): Uint8Array; // canonical bytes
export declare function decodeHostCertificate(bytes: Uint8Array): HostCertificate;
