// The two control API bearer tokens (DESIGN §6), created once at first start, readable only by the owner.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export type TokenRole = 'user' | 'admin';
/** File names of the tokens inside the state directory. */
export const TOKEN_FILES: Readonly<Record<TokenRole, string>> = { user: 'user.token', admin: 'admin.token' };

/** Path of a role's token file in state dir `dir`. */
export function tokenPath(dir: string, role: TokenRole): string {
  return path.join(dir, TOKEN_FILES[role]);
}

/** Creates missing token files (mode 0600, never overwritten) and returns both tokens. */
export function ensureTokens(dir: string): Record<TokenRole, string> {
  const out = {} as Record<TokenRole, string>;
  for (const role of ['user', 'admin'] as const) {
    const file = tokenPath(dir, role);
    try {
      // 'wx' refuses to overwrite a token another process (or an earlier start) wrote.
      const fd = fs.openSync(file, 'wx', 0o600);
      try {
        fs.writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    fs.chmodSync(file, 0o600);
    out[role] = fs.readFileSync(file, 'utf8').trim();
  }
  return out;
}
