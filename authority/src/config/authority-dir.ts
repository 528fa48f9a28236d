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

/** File in the authority dir naming where the running `vact authority serve` listens (local form). */
export const SERVE_INFO_FILE = 'serve.json';

/** The URL a local admin command uses for a server bound to `url` (an unspecified address becomes loopback). */
export function localUrl(url: string): string {
  return url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
}

/** Records (mode 0600) that this process serves the authority in `dir` at `url`. */
export function writeServeInfo(dir: string, url: string): void {
  const file = path.join(path.resolve(dir), SERVE_INFO_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ url: localUrl(url), pid: process.pid })}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Marks the record stopped (kept, so a command can say which process last served). */
export function markServeStopped(dir: string): void {
  const file = path.join(path.resolve(dir), SERVE_INFO_FILE);
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (info['pid'] !== process.pid) return;
    fs.writeFileSync(file, `${JSON.stringify({ ...info, stoppedAt: new Date().toISOString() })}\n`, { mode: 0o600 });
  } catch {
    // gone: nothing to mark
  }
}

/**
 * The URL of the authority served from the local dir `dir`; UNREACHABLE when none runs there
 * (the admin token of `dir` is never sent to a default address instead).
 */
export function runningAuthorityUrl(dir: string): string {
  let info: { url?: unknown; pid?: unknown; stoppedAt?: unknown } = {};
  try {
    info = JSON.parse(fs.readFileSync(path.join(path.resolve(dir), SERVE_INFO_FILE), 'utf8')) as typeof info;
  } catch {
    // never served from here
  }
  const pid = typeof info.pid === 'number' ? info.pid : null;
  let alive = false;
  if (pid !== null && info.stoppedAt === undefined) {
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  if (alive && typeof info.url === 'string') return info.url;
  throw new VactError('UNREACHABLE', `no authority is running for ${dir} (${pid !== null ? `last seen PID ${pid}` : 'it has not been served from this machine'}); start it with \`vact authority serve --dir ${dir}\`, or pass --url URL for a remote authority`);
}
