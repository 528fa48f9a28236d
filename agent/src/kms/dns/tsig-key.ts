// Reads a TSIG key in BIND's key-file format (what `tsig-keygen -a hmac-sha256 NAME` prints):
//   key "ddns-key" { algorithm hmac-sha256; secret "base64…"; };
import * as fs from 'node:fs';
import { VactError } from '@vact/shared/licensing';

export interface TsigKey { name: string; algorithm: 'hmac-sha256'; secret: Buffer }

export function parseTsigKey(text: string, where = 'TSIG key'): TsigKey {
  const m = /key\s+"?([A-Za-z0-9._-]+)"?\s*\{([\s\S]*?)\}\s*;/.exec(text);
  if (!m) throw new VactError('INVALID_CONFIG', `${where}: no \`key "NAME" { … };\` block`, { setting: 'tsig-key' });
  const alg = /algorithm\s+"?([A-Za-z0-9-]+)"?\s*;/i.exec(m[2])?.[1]?.toLowerCase();
  const secret = /secret\s+"([A-Za-z0-9+/=]+)"\s*;/.exec(m[2])?.[1];
  if (alg !== 'hmac-sha256') throw new VactError('INVALID_CONFIG', `${where}: algorithm ${String(alg)} (only hmac-sha256 is supported)`, { setting: 'tsig-key' });
  if (!secret) throw new VactError('INVALID_CONFIG', `${where}: no secret "…";`, { setting: 'tsig-key' });
  const bytes = Buffer.from(secret, 'base64');
  if (bytes.length < 16) throw new VactError('INVALID_CONFIG', `${where}: the secret is ${bytes.length} bytes, at least 16 are needed`, { setting: 'tsig-key' });
  return { name: m[1].toLowerCase().replace(/\.$/, ''), algorithm: 'hmac-sha256', secret: bytes };
}

export function readTsigKeyFile(file: string): TsigKey {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new VactError('INVALID_CONFIG', `cannot read the TSIG key file ${file}: ${(err as Error).message}`, { setting: 'tsig-key', file });
  }
  return parseTsigKey(text, file);
}
