/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access -- raw JSON answers are asserted field by field */
// Starts real `vact authority serve` processes for the integration tests and talks raw HTTP to them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ManagedProcess, ProcessGroup } from '../fixtures/processes';

export interface AuthorityUnderTest {
  url: string;
  dir: string;
  token: string;
  publicKey: string;
  proc: ManagedProcess;
}

/** `vact authority init --dir D` through the real CLI. */
export async function initAuthority(group: ProcessGroup, dir: string): Promise<void> {
  const r = await group.runVact(['authority', 'init', '--dir', dir, '--json']);
  if (r.code !== 0) throw new Error(`authority init failed (${r.code}): ${r.stdout}${r.stderr}`);
}

/** Starts `vact authority serve` on a free port (initialising `dir` first when it is new) and waits until it listens. */
export async function startAuthority(group: ProcessGroup, opts: {
  dir?: string; db?: string; clock?: 'sim'; rateLimit?: string; extraArgs?: string[]; name?: string;
} = {}): Promise<AuthorityUnderTest> {
  const dir = opts.dir ?? path.join(group.tempDir('vact-authority-'), 'authority');
  if (!fs.existsSync(path.join(dir, 'admin.token'))) await initAuthority(group, dir);
  const args = ['authority', 'serve', '--dir', dir, '--listen', '127.0.0.1:0', '--rate-limit', opts.rateLimit ?? '0'];
  if (opts.db) args.push('--db', opts.db);
  if (opts.clock) args.push('--clock', opts.clock);
  args.push(...(opts.extraArgs ?? []));
  const proc = group.vact(args, { name: opts.name ?? 'authority' });
  const listening = await proc.waitForJsonLine((l) => l.msg === 'listening', 'the authority to listen');
  return {
    url: String(listening.url), dir, proc,
    token: fs.readFileSync(path.join(dir, 'admin.token'), 'utf8').trim(),
    publicKey: fs.readFileSync(path.join(dir, 'authority-root.pub'), 'utf8').trim(),
  };
}

export interface ApiResponse<T = any> { status: number; body: T; headers: Headers }

/** One raw HTTP call: JSON body (or a raw string/Buffer), optional bearer token. */
export async function api<T = any>(base: string, method: string, p: string, opts: {
  json?: unknown; raw?: string | Buffer; token?: string; headers?: Record<string, string>;
} = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (opts.json !== undefined) { body = JSON.stringify(opts.json); headers['content-type'] = 'application/json'; }
  if (opts.raw !== undefined) body = opts.raw;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(new URL(p, base), { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* leave as text */ }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** 32 random hex chars (a CMID or hardware hash). */
export const hex32 = (): string => randomBytes(16).toString('hex');

/** A MAK activation request body for `key` from a fresh machine. */
export interface MakBody { key: string; cmid: string; hardwareHash: string; edition: string; nonce: string }
export function makRequest(key: string, edition = 'client-enterprise', over: Partial<MakBody> = {}): MakBody {
  return { key, cmid: hex32(), hardwareHash: hex32(), edition, nonce: randomBytes(16).toString('hex'), ...over };
}

/** Issues a key through the API with the admin token. */
export async function issueKey(a: AuthorityUnderTest, type: 'mak' | 'kms-host', group: string, limit?: number): Promise<string> {
  const r = await api(a.url, 'POST', '/v1/keys', { token: a.token, json: { type, group, ...(limit !== undefined ? { limit } : {}) } });
  if (r.status !== 201) throw new Error(`issue failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.key as string;
}
