// Reads a local lab folder as `vact lab` writes it (`.lab/`): run.json, while the lab runs, names
// every agent with its role, edition, control URL and state dir (which holds its tokens); without
// it, one state dir per agent and `<name>.log` holding the control API URL the agent announced.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROL_TOKEN_FILES, RUN_FILE, RunFileSchema, type LabRole } from '@vact/shared';

export interface LabAgent {
  name: string;
  url: string;
  token: string;
  role: 'admin' | 'user';
  /** The machine's part in the lab and its edition (from run.json). */
  lab?: { role: LabRole; edition: string };
}

const MAX_RUN_FILE_BYTES = 256 * 1024;

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

function tokenOf(stateDir: string): { token: string; role: 'admin' | 'user' } | null {
  const admin = readTokenFile(path.join(stateDir, CONTROL_TOKEN_FILES.admin));
  if (admin) return { token: admin, role: 'admin' };
  const user = readTokenFile(path.join(stateDir, CONTROL_TOKEN_FILES.user));
  return user ? { token: user, role: 'user' } : null;
}

/** The agents run.json names (with a readable token), or null when the folder has no run.json. */
export function readRunFile(dir: string): LabAgent[] | null {
  const file = path.join(dir, RUN_FILE);
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_RUN_FILE_BYTES) throw new Error(`${RUN_FILE} is larger than ${MAX_RUN_FILE_BYTES} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${RUN_FILE} is not valid JSON (${(err as Error).message})`);
  }
  const run = RunFileSchema.safeParse(doc);
  if (!run.success) {
    const issue = run.error.issues[0];
    throw new Error(`${RUN_FILE}: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  const agents: LabAgent[] = [];
  for (const a of run.data.agents) {
    if (!/^wss?:\/\//.test(a.control)) continue;
    const t = tokenOf(path.isAbsolute(a.stateDir) ? a.stateDir : path.join(dir, a.stateDir));
    if (t) agents.push({ name: a.name, url: a.control, ...t, lab: { role: a.role, edition: a.edition } });
  }
  return agents.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every agent of the lab folder: run.json's when the lab wrote one, else each state dir with a token and an announced URL, by name. */
export function readLabFolder(dir: string): LabAgent[] {
  const fromRun = readRunFile(dir);
  if (fromRun) return fromRun;
  const agents: LabAgent[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const stateDir = path.join(dir, entry.name);
    const t = tokenOf(stateDir);
    if (!t) continue;
    let log: string;
    try {
      log = fs.readFileSync(path.join(dir, `${entry.name}.log`), 'utf8');
    } catch {
      continue;
    }
    const url = urlFromLog(log);
    if (url) agents.push({ name: entry.name, url, ...t });
  }
  return agents.sort((a, b) => a.name.localeCompare(b.name));
}
