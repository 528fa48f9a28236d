// Child processes of a local lab: one-shot `vact …` commands and long-running daemons.
// The lab owns every process it starts and stops them all on the way out.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { isErrorCodeName, VactError } from '@vact/shared';
import { AGENT_PACKAGE_DIR } from '../package-dir';
import { DAEMON_ENVIRONMENT } from '../service/daemon-environment';

/** The `vact` entry point of this installation (agent/bin/vact.js). */
export const VACT_BIN = path.join(AGENT_PACKAGE_DIR, 'bin', 'vact.js');

export interface CommandResult { code: number | null; stdout: string; stderr: string }

/** Runs one `vact …` command to completion. */
export function runVact(args: string[], timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VACT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Runs `vact … --json` and returns its parsed output, or throws with the command's own error text. */
export async function runVactJson<T>(args: string[]): Promise<T> {
  const r = await runVact([...args, '--json']);
  if (r.code !== 0) {
    // The command's own catalogue error, when it printed one, is the lab's error too.
    let data: { code?: unknown; message?: unknown } | undefined;
    try { data = (JSON.parse(r.stdout) as { error?: typeof data }).error; } catch { data = undefined; }
    const what = `vact ${args.slice(0, 3).join(' ')}`;
    if (data && isErrorCodeName(data.code)) throw new VactError(data.code, `${what}: ${String(data.message)}`);
    throw new VactError('INTERNAL', `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  }
  return JSON.parse(r.stdout) as T;
}


/** True when nothing listens on 127.0.0.1:port (so the lab may take it again). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A long-running `vact …` daemon whose output goes to a log file. */
export class LabDaemon {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private running = true;

  constructor(readonly name: string, args: string[], logFile: string, file = process.execPath, fileArgs = [VACT_BIN]) {
    const out = fs.openSync(logFile, 'a', 0o600);
    this.child = spawn(file, [...fileArgs, ...args], { stdio: ['ignore', out, out], env: { ...process.env, ...DAEMON_ENVIRONMENT } });
    fs.closeSync(out);
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => {
      this.running = false;
      this.exitText = signal ? `killed by ${signal}` : `exit ${code ?? '?'}`;
      resolve();
    }));
    this.child.once('error', () => { /* reported through 'close' (spawn failures close too) */ });
  }

  /** A daemon that is not `vact` (the lab's DNS server). */
  static exec(name: string, file: string, args: string[], logFile: string): LabDaemon {
    return new LabDaemon(name, args, logFile, file, []);
  }

  /** How it ended ('exit 1', 'killed by SIGKILL'), once it has. */
  exitText = '';

  get pid(): number | undefined { return this.child.pid; }

  get isRunning(): boolean { return this.running; }

  /** Polls `probe` until it resolves true; fails if the daemon exits first or time runs out. */
  async waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited (${this.exitText}) before ${what}`);
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${this.name}: ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
