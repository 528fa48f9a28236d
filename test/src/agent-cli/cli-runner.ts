// Runs the real `vact` CLI as a child process (asynchronously, so an in-process server keeps serving).
import { execFile } from 'node:child_process';
import * as path from 'node:path';

export const VACT_BIN = path.resolve(__dirname, '../../../agent/bin/vact.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vact ...args` (with `input` on its standard input); never rejects on a non-zero exit. */
export function vact(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [VACT_BIN, ...args], { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 20_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err instanceof Error ? err : new Error('vact could not be started'));
      resolve({ code: err ? ((err as { code: number }).code) : 0, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs `vact ...args --json` and parses stdout. */
export async function vactJson<T = Record<string, unknown>>(args: string[]): Promise<{ code: number; json: T; stderr: string }> {
  const r = await vact([...args, '--json']);
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`vact ${args.join(' ')} --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}
