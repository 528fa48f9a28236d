// Reads the authority's Ed25519 public key that every ticket must chain to (--authority-key FILE).
import * as fs from 'node:fs';
import { VactError } from '@vact/shared/licensing';

/** Accepts a file holding the base64 raw 32-byte key, or JSON with a `publicKey` field. */
export function readAuthorityKey(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new VactError('INVALID_CONFIG', `--authority-key: cannot read ${file} (${(err as Error).message})`, { setting: 'authorityKey' });
  }
  let key = text;
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as { publicKey?: unknown };
      key = typeof j.publicKey === 'string' ? j.publicKey : '';
    } catch {
      key = '';
    }
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length !== 32) {
    throw new VactError('INVALID_CONFIG', `--authority-key: ${file} does not hold an Ed25519 public key (base64 of 32 bytes, or JSON {"publicKey": …})`, { setting: 'authorityKey' });
  }
  return key;
}

/** The CA certificate(s) (PEM) to trust for an https authority (--authority-ca FILE), or undefined for the system's. */
export function readAuthorityCa(file: string | null): Buffer | undefined {
  if (file === null) return undefined;
  let pem: Buffer;
  try {
    pem = fs.readFileSync(file);
  } catch (err) {
    throw new VactError('INVALID_CONFIG', `--authority-ca: cannot read ${file} (${(err as Error).message})`, { setting: 'authorityCa' });
  }
  if (!pem.toString('utf8').includes('-----BEGIN CERTIFICATE-----')) {
    throw new VactError('INVALID_CONFIG', `--authority-ca: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, { setting: 'authorityCa' });
  }
  return pem;
}
