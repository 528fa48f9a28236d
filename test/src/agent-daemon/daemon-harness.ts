// Real processes and sockets for agent daemon tests: a signing authority endpoint, `vact agent run`, a JSON-RPC client.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';
import {
  signTicketByAuthority, ticketToText, referenceCatalogue, encodeProductKey, AuthorityPaths, openSealedKey, makProof, fromBase64, CONTROL_PROTOCOL_VERSION, type MakActivationRequest, type ControlNotification, type ControlMethodName, type ControlParamsInput, type ControlResult,
} from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';

export const EDITION = 'client-enterprise';
const VACT = path.resolve(__dirname, '../../../agent/bin/vact.js');

/** A throwaway directory removed by `cleanup`. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A MAK of the reference catalogue's client-vl group. */
export function makKey(serial: number): string {
  return encodeProductKey({ type: 'mak', group: 'client-vl', serial }, referenceCatalogue().groups.map((g) => g.id));
}

/**
 * A minimal activation endpoint on a real HTTP socket: signs MAK tickets with its own root key
 * (the real authority is exercised by the CLI end-to-end tests). `limit` caps distinct hardware per key.
 */
export class SigningAuthority {
  readonly keys = nodeEd25519.generateKeyPair();
  private server: http.Server | null = null;
  url = '';
  requests = 0;
  private readonly seen = new Map<string, Set<string>>();
  /** How each request carried its key: 'clear' or 'sealed'. */
  readonly keysSeen: ('clear' | 'sealed')[] = [];
  constructor(private readonly limit = 1_000_000) {}

  /** The request's key: in clear, or opened from its seal with this authority's root seed (null if it does not open or prove). */
  private keyOf(body: MakActivationRequest): string | null {
    if (body.key !== undefined) return body.key;
    if (!body.sealedKey) return null;
    const parts = { ephemeralPublicKey: Buffer.from(body.sealedKey.ephemeralPublicKey, 'hex'), ciphertext: Buffer.from(body.sealedKey.ciphertext, 'hex') };
    try {
      const opened = openSealedKey(parts, fromBase64(this.keys.privateKey)!);
      return makProof(opened.bindKey, parts, body) === body.sealedKey.proof ? opened.key : null;
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        if (req.method !== 'POST' || req.url !== AuthorityPaths.activateMak) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', number: 6003, message: 'Not found', hint: '' } }));
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MakActivationRequest;
        const key = this.keyOf(body);
        if (key === null) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'INVALID_KEY', number: 2001, message: 'The sealed key does not open or its proof is wrong', hint: '' } }));
          return;
        }
        this.keysSeen.push(body.key !== undefined ? 'clear' : 'sealed');
        const hw = this.seen.get(key) ?? new Set<string>();
        if (!hw.has(body.hardwareHash) && hw.size >= this.limit) {
          res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'MAK_LIMIT_REACHED', number: 2004, message: `The MAK has reached its activation limit: ${this.limit} of ${this.limit} used`, hint: '' } }));
          return;
        }
        const repeat = hw.has(body.hardwareHash);
        hw.add(body.hardwareHash);
        this.seen.set(key, hw);
        const ticket = signTicketByAuthority(nodeEd25519, this.keys.privateKey, {
          version: 1, cmid: body.cmid, hardwareHash: body.hardwareHash, edition: body.edition, channel: 'MAK',
          partialKey: key.slice(-5), issuedAt: Date.now(), validUntil: null, nonce: body.nonce, issuer: 'authority',
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ticket: ticketToText(ticket), repeat, remaining: this.limit - hw.size }));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Writes the root public key as `--authority-key` expects it. */
  writeKeyFile(dir: string): string {
    const f = path.join(dir, 'authority.pub');
    fs.writeFileSync(f, `${this.keys.publicKey}\n`);
    return f;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }
}

export interface AgentProcessOptions {
  stateDir: string;
  authorityUrl: string;
  authorityKeyFile: string;
  hardwareFile?: string;
  clock?: string;
  extra?: string[];
}

/** Runs `vact agent run` as a child process. */
export class AgentProcess {
  child: ChildProcess | null = null;
  url = '';
  stdout = '';
  stderr = '';

  constructor(readonly opts: AgentProcessOptions) {}

  args(): string[] {
    const o = this.opts;
    return [
      VACT, 'agent', 'run', '--state-dir', o.stateDir, '--edition', EDITION, '--authority', o.authorityUrl,
      '--authority-key', o.authorityKeyFile, '--control', '127.0.0.1:0',
      ...(o.hardwareFile ? ['--hardware', `file:${o.hardwareFile}`] : []),
      ...(o.clock ? ['--clock', o.clock] : []),
      ...(o.extra ?? []),
    ];
  }

  /** Starts the agent and resolves once its control API listens. */
  async start(): Promise<void> {
    this.stdout = '';
    this.stderr = '';
    const child = spawn(process.execPath, this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        this.stdout += d.toString();
        const m = /listening on (ws:\/\/\S+)/.exec(this.stdout);
        if (m) {
          this.url = m[1]!;
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`agent exited with ${code} before listening:\n${this.stderr}`)));
    });
  }

  /** SIGKILL: the crash case. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: a clean stop; resolves with the exit code. */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    const exited = once(c, 'exit');
    c.kill(sig);
    const [code] = (await exited) as [number | null];
    this.child = null;
    return code;
  }
}

/** Runs `vact agent run` with args expecting it to exit; returns its exit code and output. */
export async function runToExit(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [VACT, 'agent', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr, stdout };
}

/** A minimal JSON-RPC 2.0 client of the control API (bearer token, handshake first). */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly notifications: ControlNotification[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      const msg = JSON.parse(text) as { id?: number; result?: unknown; error?: { message: string; data?: { code?: string; message?: string } }; method?: string; params?: unknown };
      if (msg.id === undefined || msg.id === null) {
        if (msg.method) this.notifications.push({ method: msg.method, params: msg.params } as ControlNotification);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) {
        const err = new Error(msg.error.data?.message ?? msg.error.message) as Error & { code?: string };
        err.code = msg.error.data?.code;
        p.reject(err);
      } else p.resolve(msg.result);
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
      this.pending.clear();
    });
  }

  static async connect(url: string, stateDir: string, role: 'admin' | 'user' = 'admin'): Promise<RpcClient> {
    const token = fs.readFileSync(path.join(stateDir, `${role}.token`), 'utf8').trim();
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    await once(ws, 'open');
    const c = new RpcClient(ws);
    await c.call('handshake', { protocol: CONTROL_PROTOCOL_VERSION, client: 'agent-daemon-test' });
    return c;
  }

  /** Calls a control API method; params default to {} and the result is typed by the method's result schema. */
  call<M extends ControlMethodName>(method: M, params?: ControlParamsInput<M>): Promise<ControlResult<M>> {
    const id = this.nextId++;
    return new Promise<ControlResult<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Writes a `--hardware file:` JSON. */
export function writeHardware(file: string, hw: Record<string, unknown>): void {
  fs.writeFileSync(file, JSON.stringify(hw));
}

export const HARDWARE = {
  board: 'Lab Board SN-0001', system: 'system-uuid-0001', cpu: 'AMD EPYC 4 cores', mem: 16 * 1024 ** 3,
  disks: ['disk-serial-a'], macs: ['02:fc:00:00:00:01'], machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4',
};

/** One test's machine: a temp dir with a state dir and a hardware file, and a signing authority. */
export interface DaemonBench {
  dir: string;
  stateDir: string;
  hw: string;
  authority: SigningAuthority;
  keyFile: string;
  /** The agent on `stateDir`, when the bench was asked to start one. */
  agent: AgentProcess;
  /** A (not yet started) agent on `state` with this bench's authority and hardware; killed after the test. */
  agentOn(state: string, opts?: Partial<AgentProcessOptions>): AgentProcess;
}

export interface DaemonBenchOptions {
  /** MAK activation limit of the signing authority. */
  authorityLimit?: number;
  /** One bench for the whole suite (before/after) instead of one per test. */
  once?: boolean;
  /** Start an agent on the bench's state dir with this clock (`sim`, `sim:ISO`). */
  agentClock?: string;
}

/**
 * Registers hooks that give every test of the suite (or, with `once`, the suite) a fresh
 * DaemonBench (handed to `use`) and, after it, close the clients, kill the agents pushed on the
 * arrays, stop the authority and remove the dir.
 */
export function useDaemonBench(prefix: string, use: (b: DaemonBench) => void, options: number | DaemonBenchOptions = {}): { agents: AgentProcess[]; clients: RpcClient[] } {
  const o: DaemonBenchOptions = typeof options === 'number' ? { authorityLimit: options } : options;
  const agents: AgentProcess[] = [];
  const clients: RpcClient[] = [];
  let bench: DaemonBench | undefined;
  (o.once ? before : beforeEach)(async () => {
    const dir = tempDir(prefix);
    const hw = path.join(dir, 'hw.json');
    writeHardware(hw, HARDWARE);
    const authority = new SigningAuthority(o.authorityLimit);
    await authority.start();
    const keyFile = authority.writeKeyFile(dir);
    const agentOn = (state: string, opts: Partial<AgentProcessOptions> = {}): AgentProcess => {
      const a = new AgentProcess({ stateDir: state, authorityUrl: authority.url, authorityKeyFile: keyFile, hardwareFile: hw, ...opts });
      agents.push(a);
      return a;
    };
    const stateDir = path.join(dir, 'state');
    let agent: AgentProcess | undefined;
    if (o.agentClock !== undefined) {
      agent = agentOn(stateDir, { clock: o.agentClock });
      await agent.start();
    }
    const b: DaemonBench = {
      dir, stateDir, hw, authority, keyFile, agentOn,
      get agent(): AgentProcess {
        if (!agent) throw new Error('this bench started no agent (pass agentClock)');
        return agent;
      },
    };
    bench = b;
    use(b);
  });
  (o.once ? after : afterEach)(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const a of agents.splice(0)) await a.kill();
    await bench?.authority.stop();
    if (bench) fs.rmSync(bench.dir, { recursive: true, force: true });
    bench = undefined;
  });
  return { agents, clients };
}
