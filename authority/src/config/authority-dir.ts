// The authority directory: root key pair, admin token and (by default) the SQLite database.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VactError } from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';

export const ROOT_PRIVATE_KEY_FILE = 'authority-root.key';
export const ROOT_PUBLIC_KEY_FILE = 'authority-root.pub';
export const ADMIN_TOKEN_FILE = 'admin.token';

export interface AuthorityFiles {
  dir: string;
  privateKeyPath: string;
  publicKeyPath: string;
  adminTokenPath: string;
}

/** Paths of the files in an authority directory. */
export function authorityFiles(dir: string): AuthorityFiles {
  const d = path.resolve(dir);
  return {
    dir: d,
    privateKeyPath: path.join(d, ROOT_PRIVATE_KEY_FILE),
    publicKeyPath: path.join(d, ROOT_PUBLIC_KEY_FILE),
    adminTokenPath: path.join(d, ADMIN_TOKEN_FILE),
  };
}

/** Creates the root key pair and admin token in `dir`; refuses to overwrite any of them. */
export function initAuthorityDir(dir: string): AuthorityFiles & { publicKey: string } {
  const f = authorityFiles(dir);
  fs.mkdirSync(f.dir, { recursive: true, mode: 0o700 });
  for (const p of [f.privateKeyPath, f.publicKeyPath, f.adminTokenPath]) {
    if (fs.existsSync(p)) throw new VactError('ALREADY_EXISTS', `${p} exists; this directory already holds an authority`);
  }
  const pair = nodeEd25519.generateKeyPair();
  // 'wx' fails if a concurrent init created the file between the check and the write.
  fs.writeFileSync(f.privateKeyPath, pair.privateKey + '\n', { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(f.adminTokenPath, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(f.publicKeyPath, pair.publicKey + '\n', { mode: 0o644, flag: 'wx' });
  return { ...f, publicKey: pair.publicKey };
}

export interface LoadedAuthority extends AuthorityFiles {
  rootPrivateKey: string;
  rootPublicKey: string;
  adminToken: string;
}

/** Reads the root keys and admin token written by `vact authority init`. */
export function loadAuthorityDir(dir: string): LoadedAuthority {
  const f = authorityFiles(dir);
  const read = (p: string, what: string): string => {
    let text: string;
    try {
      text = fs.readFileSync(p, 'utf8').trim();
    } catch (err) {
      throw new VactError('INVALID_CONFIG', `cannot read the ${what} ${p} (${(err as NodeJS.ErrnoException).code ?? String(err)}); run \`vact authority init --dir ${dir}\` first`);
    }
    if (!text) throw new VactError('INVALID_CONFIG', `the ${what} ${p} is empty`);
    return text;
  };
  return {
    ...f,
    rootPrivateKey: read(f.privateKeyPath, 'root private key'),
    rootPublicKey: read(f.publicKeyPath, 'root public key'),
    adminToken: read(f.adminTokenPath, 'admin token'),
  };
}

/** Reads an admin token from --token-file or from the authority directory given by --dir. */
export function readAdminToken(opts: { dir?: string; tokenFile?: string }): string {
  const p = opts.tokenFile ?? (opts.dir ? authorityFiles(opts.dir).adminTokenPath : undefined);
  if (!p) throw new VactError('UNAUTHORIZED', 'no admin token: pass --dir D (the authority directory) or --token-file FILE');
  try {
    const t = fs.readFileSync(p, 'utf8').trim();
    if (!t) throw new Error('empty');
    return t;
  } catch (err) {
    throw new VactError('UNAUTHORIZED', `cannot read the admin token ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
