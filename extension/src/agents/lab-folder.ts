// Reads a local lab folder as `vact lab` writes it (`.lab/`): one state dir per agent holding
// its tokens, and `<name>.log` holding the control API URL the agent listens on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROL_TOKEN_FILES } from '@vact/shared';

export interface LabAgent {
  name: string;
  url: string;
  token: string;
  role: 'admin' | 'user';
}

const LISTEN_LINE = /(?:vact agent listening on|control API listening on) (wss?:\/\/\S+)/g;

/** The last control URL an agent log announces, or null. */
export function urlFromLog(text: string): string | null {
  let last: string | null = null;
  for (const m of text.matchAll(LISTEN_LINE)) last = m[1] ?? null;
  return last;
}

function readTokenFile(file: string): string | null {
  try {
    const t = fs.readFileSync(file, 'utf8').trim();
    return t && !/\s/.test(t) ? t : null;
  } catch {
    return null;
  }
}

/** Every agent of the lab folder that has a readable token and an announced URL, by name. */
export function readLabFolder(dir: string): LabAgent[] {
  const agents: LabAgent[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const stateDir = path.join(dir, entry.name);
    const admin = readTokenFile(path.join(stateDir, CONTROL_TOKEN_FILES.admin));
    const user = admin ? null : readTokenFile(path.join(stateDir, CONTROL_TOKEN_FILES.user));
    const token = admin ?? user;
    if (!token) continue;
    let log: string;
    try {
      log = fs.readFileSync(path.join(dir, `${entry.name}.log`), 'utf8');
    } catch {
      continue;
    }
    const url = urlFromLog(log);
    if (url) agents.push({ name: entry.name, url, token, role: admin ? 'admin' : 'user' });
  }
  return agents.sort((a, b) => a.name.localeCompare(b.name));
}
