// Real `vact agent run` processes for the extension-host suite (fixture.json from the runner
// says which Node, which vact and which authority).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Fixture {
  node: string;
  vact: string;
  authorityUrl: string;
  authorityKey: string;
  makKey: string;
  dir: string;
  /** The lab's KMS host (certified by the authority; four other machines already asked it). */
  kmsHost: { url: string; stateDir: string; kmsPort: number };
}

export { freePort } from '@vact/shared/node';

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class AgentProcess {
  private child: ChildProcess | null = null;
  readonly stateDir: string;
  readonly url: string;

  constructor(private readonly fx: Fixture, readonly name: string, readonly port: number, readonly edition = 'client-enterprise') {
    this.stateDir = path.join(fx.dir, name);
    this.url = `ws://127.0.0.1:${port}`;
    fs.mkdirSync(this.stateDir, { recursive: true });
    const hw = path.join(fx.dir, `${name}.hardware.json`);
    fs.writeFileSync(hw, JSON.stringify({ board: `b-${name}`, system: `s-${name}`, cpu: 'cpu', mem: 8 * 2 ** 30, disks: [`d-${name}`], macs: ['02:00:00:00:01:01'], machineId: `m-${name}` }));
  }

  token(role: 'admin' | 'user'): string {
    return fs.readFileSync(path.join(this.stateDir, `${role}.token`), 'utf8').trim();
  }

  /** Starts the agent and waits until it says it listens. */
  async start(): Promise<void> {
    const hw = path.join(this.fx.dir, `${this.name}.hardware.json`);
    const child = spawn(this.fx.node, [this.fx.vact, 'agent', 'run', '--state-dir', this.stateDir, '--edition', this.edition, '--authority', this.fx.authorityUrl, '--authority-key', this.fx.authorityKey, '--control', `127.0.0.1:${this.port}`, '--clock', 'sim', '--hardware', `file:${hw}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(`${this.name} to listen (output so far: ${out})`, () => out.includes('listening on') || (child.exitCode !== null ? Promise.reject(new Error(`${this.name} exited: ${out}`)) : false));
  }

  /** kill -9, as a crash would. */
  async kill(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }
}
