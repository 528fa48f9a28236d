// A typed client of the agent control API: connect, handshake, call, subscribe. Results and
// notifications are validated with the same schemas the server uses.
import { WebSocket } from 'ws';
import {
  CONTROL_PROTOCOL_VERSION,
  ControlMethods,
  ControlNotifications,
  ErrorDataSchema,
  VactError,
  type ControlMethodName,
  type ControlNotification,
  type ControlParamsInput,
  type ControlResult,
  type ErrorCodeName,
  type ErrorData,
  type NotificationTopic,
} from '../../licensing';
import type { z } from 'zod';
import { certificateError } from '../tls-trust';

/** An error the agent answered with: the catalogue code plus the JSON-RPC code. */
export class ControlCallError extends Error {
  readonly code: string;
  readonly number: number;
  readonly hint: string;
  readonly details?: Record<string, unknown>;
  constructor(readonly rpcCode: number, data: ErrorData) {
    super(data.message);
    this.name = 'ControlCallError';
    this.code = data.code;
    this.number = data.number;
    this.hint = data.hint;
    if (data.details) this.details = data.details;
  }

  /** Same shape as VactError#toJSON. */
  toJSON(): ErrorData {
    return { code: this.code, number: this.number, message: this.message, hint: this.hint, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface ControlClientOptions {
  /** ws://HOST:PORT or wss://HOST:PORT */
  url: string;
  token: string;
  /** Send the token in the Authorization header of the upgrade (default) or only in the handshake. */
  tokenIn?: 'header' | 'handshake';
  clientName?: string;
  /** Connect + handshake timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** Per-call timeout (default 60 s: an activation may wait on the authority). */
  callTimeoutMs?: number;
  /** Extra CA (PEM) to trust for wss://, e.g. the agent's self-signed certificate. */
  ca?: string | Buffer;
  rejectUnauthorized?: boolean;
  /** Only for tests of the Origin check. */
  origin?: string;
  /** Highest message accepted from the agent (default 16 MiB: event queries can be long). */
  maxPayload?: number;
  /** Told when a notification listener throws (default: a process warning); the other listeners still run. */
  onListenerError?: (err: unknown, notification: ControlNotification) => void;
}

interface Pending {
  method: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

const UPGRADE_ERRORS: Record<number, ErrorCodeName> = { 401: 'UNAUTHORIZED', 403: 'UNAUTHORIZED', 429: 'RATE_LIMITED' };

/** One authenticated connection to an agent. */
export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(n: ControlNotification) => void>();
  private closedReason: string | null = null;
  private readonly closeWaiters: ((reason: string) => void)[] = [];
  private handshakeResult: ControlResult<'handshake'> | null = null;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: ControlClientOptions,
  ) {
    ws.on('message', (data) => this.onMessage(Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8')));
    ws.on('close', (code, reason) => this.failAll(`the agent closed the connection (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
    ws.on('error', (err) => this.failAll(err.message));
  }

  /** Connects and performs the version handshake; throws UNREACHABLE, UNAUTHORIZED, RATE_LIMITED or VERSION_MISMATCH. */
  static async connect(options: ControlClientOptions): Promise<ControlClient> {
    const timeout = options.connectTimeoutMs ?? 10_000;
    const headers: Record<string, string> = {};
    if ((options.tokenIn ?? 'header') === 'header') headers.authorization = `Bearer ${options.token}`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(options.url, {
        headers,
        handshakeTimeout: timeout,
        maxPayload: options.maxPayload ?? 16 * 1024 * 1024,
        perMessageDeflate: false,
        ...(options.origin ? { origin: options.origin } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
      });
    } catch (err) {
      throw new VactError('UNREACHABLE', `${options.url}: ${(err as Error).message}`);
    }
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(e);
      };
      ws.once('open', () => {
        ws.removeAllListeners();
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        const code = UPGRADE_ERRORS[res.statusCode ?? 0] ?? 'UNREACHABLE';
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 500) body += c;
        });
        res.on('end', () => fail(new VactError(code, `${options.url}: HTTP ${res.statusCode} ${body.trim()}`)));
        res.on('error', () => fail(new VactError(code, `${options.url}: HTTP ${res.statusCode}`)));
      });
      ws.once('error', (err: NodeJS.ErrnoException) => fail(certificateError(err, options.url) ?? new VactError('UNREACHABLE', `${options.url}: ${err.code ?? err.message}`)));
    });
    const client = new ControlClient(ws, options);
    try {
      client.handshakeResult = await client.call('handshake', {
        protocol: CONTROL_PROTOCOL_VERSION,
        client: options.clientName ?? 'vact-control-client',
        ...((options.tokenIn ?? 'header') === 'handshake' ? { token: options.token } : {}),
      });
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  /** The agent's handshake answer (role, agent version, clock kind). */
  get handshake(): ControlResult<'handshake'> {
    if (!this.handshakeResult) throw new VactError('INTERNAL', 'no handshake yet');
    return this.handshakeResult;
  }

  /** Calls `method`; resolves with the validated result or rejects with ControlCallError/VactError. */
  call<M extends ControlMethodName>(method: M, params?: ControlParamsInput<M>): Promise<ControlResult<M>> {
    if (this.closedReason !== null) return Promise.reject(new VactError('UNREACHABLE', this.closedReason));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VactError('UNREACHABLE', `no answer to "${method}" within ${(this.options.callTimeoutMs ?? 60_000) / 1000} s`));
      }, this.options.callTimeoutMs ?? 60_000);
      this.pending.set(id, { method, resolve, reject, timer });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} }), (err) => {
        if (err) this.settle(id, new VactError('UNREACHABLE', err.message));
      });
    }).then((raw) => {
      const checked = (ControlMethods[method].result as z.ZodType).safeParse(raw);
      if (!checked.success) {
        throw new VactError('VERSION_MISMATCH', `the agent's answer to "${method}" does not match this client's schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).slice(0, 3).join('; ')}`);
      }
      return checked.data as ControlResult<M>;
    });
  }

  /** Subscribes this connection to notification topics (all when omitted). */
  subscribe(topics?: NotificationTopic[]): Promise<ControlResult<'subscribe'>> {
    return this.call('subscribe', topics ? { topics } : {});
  }

  /** Listens to validated notifications; returns a disposer. */
  onNotification(listener: (n: ControlNotification) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Resolves with the reason once the connection is closed (by either side). */
  whenClosed(): Promise<string> {
    if (this.closedReason !== null) return Promise.resolve(this.closedReason);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Closes the connection and rejects pending calls. */
  close(): Promise<void> {
    this.failAll('the connection was closed by the client');
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.ws.close(1000);
    });
  }

  private settle(id: number, error: Error | null, value?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(value);
  }

  private failAll(reason: string): void {
    this.closedReason ??= reason;
    for (const w of this.closeWaiters.splice(0)) w(this.closedReason);
    for (const id of [...this.pending.keys()]) this.settle(id, new VactError('UNREACHABLE', reason));
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const replies = Array.isArray(msg) ? msg : [msg];
    for (const r of replies) {
      if (typeof r !== 'object' || r === null) continue;
      const m = r as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
      if (typeof m.method === 'string' && m.id === undefined) {
        this.onNotificationMessage(m.method, m.params);
        continue;
      }
      if (typeof m.id !== 'number') {
        // An error without an id (parse error/invalid request) answers the oldest pending call.
        if (m.error && m.id === null) {
          const first = this.pending.keys().next();
          if (!first.done) this.settle(first.value, toCallError(m.error));
        }
        continue;
      }
      if (m.error !== undefined) this.settle(m.id, toCallError(m.error));
      else this.settle(m.id, null, m.result);
    }
  }

  private onNotificationMessage(method: string, params: unknown): void {
    const entry = (ControlNotifications as Record<string, { params: z.ZodType } | undefined>)[method];
    if (!entry) return;
    const checked = entry.params.safeParse(params);
    if (!checked.success) return;
    const n = { method, params: checked.data } as ControlNotification;
    for (const l of this.listeners) {
      // A listener's bug must not escape into ws's frame handler (it would kill the connection
      // or the process) nor starve the listeners after it.
      try {
        l(n);
      } catch (err) {
        this.reportListenerError(err, n);
      }
    }
  }

  private reportListenerError(err: unknown, n: ControlNotification): void {
    try {
      if (this.options.onListenerError) this.options.onListenerError(err, n);
      else process.emitWarning(`a control notification listener for "${n.method}" threw: ${String(err)}`, 'VactControlClient');
    } catch {
      // The error reporter itself failed; nothing better to do than drop it.
    }
  }
}

function toCallError(e: { code?: unknown; message?: unknown; data?: unknown }): ControlCallError {
  const data = ErrorDataSchema.safeParse(e.data);
  const rpcCode = typeof e.code === 'number' ? e.code : -32603;
  if (data.success) return new ControlCallError(rpcCode, data.data);
  return new ControlCallError(rpcCode, { code: 'INTERNAL', number: 9999, message: typeof e.message === 'string' ? e.message : 'unknown error', hint: 'Report this with the agent log file.' });
}
