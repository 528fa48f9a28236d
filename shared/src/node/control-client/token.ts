// Finding the control token the CLI sends: --token-file, or the agent's state dir (admin when readable).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTROL_TOKEN_FILES, VactError } from '../../licensing';

export type TokenSource = { tokenFile: string } | { stateDir: string };

function readToken(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') return null;
    throw new VactError('INVALID_CONFIG', `${path}: ${code ?? 'unreadable'}`);
  }
  const token = text.trim();
  if (!token || token.length > 256 || /\s/.test(token)) throw new VactError('INVALID_CONFIG', `${path} does not hold a token`);
  return token;
}

/** Reads the token to use; throws INVALID_CONFIG naming the file when none can be read. */
export function readControlToken(source: TokenSource): { token: string; path: string } {
  if ('tokenFile' in source) {
    const token = readToken(source.tokenFile);
    if (token === null) throw new VactError('INVALID_CONFIG', `--token-file ${source.tokenFile} cannot be read`);
    return { token, path: source.tokenFile };
  }
  for (const name of [CONTROL_TOKEN_FILES.admin, CONTROL_TOKEN_FILES.user]) {
    const path = join(source.stateDir, name);
    const token = readToken(path);
    if (token !== null) return { token, path };
  }
  throw new VactError('INVALID_CONFIG', `--state-dir ${source.stateDir}: neither ${CONTROL_TOKEN_FILES.admin} nor ${CONTROL_TOKEN_FILES.user} can be read (is the agent started with this state dir?)`);
}
