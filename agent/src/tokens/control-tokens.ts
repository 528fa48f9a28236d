// The two control API bearer tokens (DESIGN §6), created once at first start, readable only by the owner.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VactError } from '@vact/shared/licensing';
import { createFileAtomic } from '../store/atomic-file';

export type TokenRole = 'user' | 'admin';
/** File names of the tokens inside the state directory. */
export const TOKEN_FILES: Readonly<Record<TokenRole, string>> = { user: 'user.token', admin: 'admin.token' };

/** Path of a role's token file in state dir `dir`. */
export function tokenPath(dir: string, role: TokenRole): string {
  return path.join(dir, TOKEN_FILES[role]);
}

/** A usable token: what `ensureTokens` writes is 43 base64url characters. */
const TOKEN_TEXT = /^[A-Za-z0-9_-]{16,256}$/;

function readToken(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new VactError('STATE_CORRUPT', `${file}: cannot read the control token (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (text === '') throw new VactError('STATE_CORRUPT', `${file}: the control token file is empty; delete it and start the agent again to create a new token`);
  if (!TOKEN_TEXT.test(text)) throw new VactError('STATE_CORRUPT', `${file}: the control token must be 16 to 256 characters of A-Z a-z 0-9 _ -; delete the file to create a new token`);
  return text;
}

/**
 * Creates missing token files (mode 0600, written atomically, never overwritten) and returns both
 * tokens. Throws STATE_CORRUPT (exit 5) naming the file when one is empty, unreadable or malformed;
 * the daemon calls it before anything acts so a bad token file changes nothing.
 */
export function ensureTokens(dir: string): Record<TokenRole, string> {
  const out = {} as Record<TokenRole, string>;
  for (const role of ['user', 'admin'] as const) {
    const file = tokenPath(dir, role);
    // Atomic: a kill at any instant leaves no token file or a whole one, never an empty one the
    // next start would refuse for ever. An existing file is kept: clients hold it.
    createFileAtomic(file, `${randomBytes(32).toString('base64url')}\n`, 0o600);
    try {
      fs.chmodSync(file, 0o600);
    } catch (err) {
      throw new VactError('STATE_CORRUPT', `${file}: cannot restrict the control token to its owner (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    out[role] = readToken(file);
  }
  return out;
}
