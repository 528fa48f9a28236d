// KMS host certificates: the authority root key vouches for a host key (DESIGN §5; docs/protocol.md, "Host certificate").
import { fromBase64, toBase64 } from '../encoding/base64';
import type { Ed25519 } from '../crypto/signer';
import { VactError } from '../errors/error-codes';
import { ByteReader, ByteWriter, checkSize, signedMessage } from './canonical-bytes';

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

/** Domain-separation tag: a certificate signature can never verify as a ticket's. */
export const HOST_CERTIFICATE_TAG = 'vact/host-certificate/v1';
/** Message-type byte that follows the version byte. */
export const HOST_CERTIFICATE_KIND = 0x01;
/** Hard limit on an encoded certificate. */
export const MAX_CERTIFICATE_BYTES = 1024;
/** How far a certificate's issuedAt may lie in the verifier's future (clocks differ by up to 4 hours, DESIGN §3). */
export const CERTIFICATE_CLOCK_TOLERANCE_MS = 4 * 60 * 60 * 1000;

const WHAT = 'host certificate';

/** Canonical bytes of a certificate body (what the root key signs, after the tag). */
export function encodeHostCertificateBody(body: HostCertificateBody): Uint8Array {
  if (body.version !== 1) throw new VactError('VERSION_MISMATCH', `${WHAT}: version ${String(body.version)} cannot be encoded (this build writes version 1)`);
  if (body.validUntil < body.issuedAt) throw new VactError('INVALID_ENCODING', `${WHAT}: validUntil is before issuedAt`);
  return new ByteWriter(WHAT)
    .u8(1)
    .u8(HOST_CERTIFICATE_KIND)
    .str('serial', body.serial)
    .base64('hostPublicKey', body.hostPublicKey, 32)
    .str('hostKeyGroup', body.hostKeyGroup)
    .str('hostHardwareHash', body.hostHardwareHash)
    .str('hostEdition', body.hostEdition)
    .u64('issuedAt', body.issuedAt)
    .u64('validUntil', body.validUntil)
    .finish();
}

function readBody(r: ByteReader): HostCertificateBody {
  const version = r.u8('version');
  if (version !== 1) throw new VactError('VERSION_MISMATCH', `${WHAT}: version ${version} (this build reads version 1)`);
  const kind = r.u8('message type');
  if (kind !== HOST_CERTIFICATE_KIND) r.fail(`message type ${kind} is not a host certificate (${HOST_CERTIFICATE_KIND})`);
  return {
    version: 1,
    serial: r.str('serial'),
    hostPublicKey: r.base64('hostPublicKey', 32),
    hostKeyGroup: r.str('hostKeyGroup'),
    hostHardwareHash: r.str('hostHardwareHash'),
    hostEdition: r.str('hostEdition'),
    issuedAt: r.u64('issuedAt'),
    validUntil: r.u64('validUntil'),
  };
}

/** Signs a host certificate with the authority root key. */
export function signHostCertificate(crypto: Ed25519, rootPrivateKey: string, body: HostCertificateBody): HostCertificate {
  const signature = crypto.sign(rootPrivateKey, signedMessage(HOST_CERTIFICATE_TAG, encodeHostCertificateBody(body)));
  return { body: { ...body }, signature: toBase64(signature) };
}

/** Throws VactError('INVALID_SIGNATURE' | 'CERTIFICATE_EXPIRED') unless the certificate chains to rootPublicKey and is valid at `now`. */
export function verifyHostCertificate(crypto: Ed25519, rootPublicKey: string, cert: HostCertificate, now: number): void {
  const message = signedMessage(HOST_CERTIFICATE_TAG, encodeHostCertificateBody(cert.body));
  const signature = fromBase64(cert.signature) ?? new Uint8Array(0);
  if (!crypto.verify(rootPublicKey, message, signature)) {
    throw new VactError('INVALID_SIGNATURE', `host certificate ${cert.body.serial} is not signed by the authority root key`, { serial: cert.body.serial });
  }
  if (now > cert.body.validUntil) {
    throw new VactError('CERTIFICATE_EXPIRED', `host certificate ${cert.body.serial} expired at ${new Date(cert.body.validUntil).toISOString()}`, {
      serial: cert.body.serial, validUntil: cert.body.validUntil,
    });
  }
  if (now + CERTIFICATE_CLOCK_TOLERANCE_MS < cert.body.issuedAt) {
    throw new VactError('CERTIFICATE_EXPIRED', `host certificate ${cert.body.serial} is not valid before ${new Date(cert.body.issuedAt).toISOString()} (check the clock)`, {
      serial: cert.body.serial, issuedAt: cert.body.issuedAt,
    });
  }
}

/** Canonical bytes of a signed certificate: body, then the 64-byte signature. */
export function encodeHostCertificate(cert: HostCertificate): Uint8Array {
  const body = encodeHostCertificateBody(cert.body);
  return new ByteWriter(WHAT).bytes(body).base64('signature', cert.signature, 64).finish();
}

/** Reads a signed certificate from its canonical bytes (signature not checked). */
export function decodeHostCertificate(bytes: Uint8Array): HostCertificate {
  checkSize(WHAT, bytes, MAX_CERTIFICATE_BYTES);
  const r = new ByteReader(bytes, WHAT);
  const cert = readCertificate(r);
  r.end();
  return cert;
}

// Reads the certificate fields; the caller checks that nothing trails them.
function readCertificate(r: ByteReader): HostCertificate {
  const body = readBody(r);
  if (body.validUntil < body.issuedAt) r.fail('validUntil is before issuedAt');
  return { body, signature: r.base64('signature', 64) };
}

/** base64 text form of a signed certificate (state files, JSON). */
export function hostCertificateToText(cert: HostCertificate): string {
  return toBase64(encodeHostCertificate(cert));
}

/** Reads the base64 text form; throws VactError('INVALID_ENCODING') for anything else. */
export function hostCertificateFromText(s: string): HostCertificate {
  const text = typeof s === 'string' ? s.trim() : '';
  if (text.length > Math.ceil(MAX_CERTIFICATE_BYTES / 3) * 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new VactError('INVALID_ENCODING', 'host certificate text is not base64 of at most 1024 bytes');
  }
  return decodeHostCertificate(fromBase64(text) ?? new Uint8Array(0));
}
