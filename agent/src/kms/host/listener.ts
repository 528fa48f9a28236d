// The KMS host's TCP edge (docs/protocol.md, "KMS wire protocol"): one request, one reply, close.
// Everything a remote peer can do wrong — garbage, oversized headers, slow or silent senders,
// half-open sockets, connection floods — ends in an error frame or a closed socket, never a crash.
// Timers go through the Clock, so tests drive slow senders with a SimClock instead of sleeping.
import * as net from 'node:net';
import { decodeKmsFrame, encodeKmsError, KMS_MAX_REQUEST_BYTES, readFrameHeader, ZERO_NONCE, type KmsRequest } from '@vact/shared/kms';
import { VactError, type Clock, type Disposable } from '@vact/shared/licensing';

export interface KmsListenerOptions {
  host: string;
  port: number;
  clock: Clock;
  /** Answers one decoded request with the encoded reply frame (response or error). */
  handle(request: KmsRequest, meta: { remoteAddress: string; acceptedAt: number }): Uint8Array | Promise<Uint8Array>;
  /** The whole request must arrive within this long of connecting (ms). */
  requestTimeoutMs?: number;
  /** A peer silent this long mid-request is cut off (ms). */
  idleTimeoutMs?: number;
  /** Open connections beyond this are answered KMS_HOST_BUSY and closed. */
  maxConnections?: number;
  maxRequestBytes?: number;
  /** Called for every connection that ended without a reply from `handle` (for logs and counters). */
  onRefused?: (reason: KmsRefusal, remoteAddress: string, detail: string) => void;
}

export type KmsRefusal = 'busy' | 'malformed' | 'timeout' | 'handler-failed';

export interface KmsListenerStats {
  connections: number;
  open: number;
  refused: Record<KmsRefusal, number>;
}

const ignore = (): void => undefined;

/**
 * A 'finish' listener: the reply is with the kernel, which sends it and the FIN on its own; closing
 * now frees the connection without waiting for the peer's FIN (one request, one reply: a peer has
 * nothing more to say). Under a renewal storm that wait is what keeps connections alive longest.
 */
function closeWhenSent(this: net.Socket): void {
  this.destroy();
}

/** Sends the last frame of a connection and closes it once the kernel has it. */
function sendLast(socket: net.Socket, frame: Uint8Array): void {
  socket.on('finish', closeWhenSent);
  socket.end(frame);
}

export const KMS_DEFAULTS = { requestTimeoutMs: 5000, idleTimeoutMs: 2000, maxConnections: 256 } as const;

export class KmsListener {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private reading = 0;
  readonly stats: KmsListenerStats = { connections: 0, open: 0, refused: { busy: 0, malformed: 0, timeout: 0, 'handler-failed': 0 } };

  constructor(readonly opts: KmsListenerOptions) {}

  /** Connections whose request has not been read yet: requests on their way (the ticket batcher waits for them). */
  get awaitingRequests(): number {
    return this.reading;
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new VactError('INTERNAL', 'the KMS listener is already started');
    const server = net.createServer({ allowHalfOpen: false, noDelay: true }, (s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(new VactError('INVALID_CONFIG', `cannot listen on ${this.opts.host}:${this.opts.port}: ${err.message}`, { setting: 'kms-listen' }));
      server.once('error', fail);
      server.listen({ host: this.opts.host, port: this.opts.port }, () => {
        server.off('error', fail);
        resolve();
      });
    });
    // After start, a server error (e.g. EMFILE on accept) must not crash the agent.
    server.on('error', () => undefined);
    const a = server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Stops accepting and closes every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const remote = socket.remoteAddress ?? '?';
    const acceptedAt = performance.now();
    this.stats.connections++;
    socket.on('error', ignore); // resets and broken pipes are the peer's business
    if (this.sockets.size >= (this.opts.maxConnections ?? KMS_DEFAULTS.maxConnections)) {
      this.refuse(socket, 'busy', remote, new VactError('KMS_HOST_BUSY'));
      // A peer that never reads the refusal must not hold the socket open.
      const t = this.opts.clock.setTimer(this.opts.clock.now() + (this.opts.idleTimeoutMs ?? KMS_DEFAULTS.idleTimeoutMs), () => socket.destroy());
      socket.once('close', () => t.dispose());
      return;
    }
    this.sockets.add(socket);
    this.stats.open = this.sockets.size;
    this.reading++;
    new KmsConnection(this, socket, remote, acceptedAt).start();
  }

  /** @internal For KmsConnection: its request was read, refused or will never come (once per connection). */
  stopReading(): void {
    this.reading--;
  }

  /** @internal For KmsConnection: a connection ended. */
  forget(socket: net.Socket): void {
    this.sockets.delete(socket);
    this.stats.open = this.sockets.size;
  }

  /** @internal For KmsConnection: a whole request arrived. A synchronous handler answers in the same tick. */
  answer(socket: net.Socket, request: KmsRequest, remote: string, acceptedAt: number): void {
    let frame: Uint8Array | Promise<Uint8Array>;
    try {
      frame = this.opts.handle(request, { remoteAddress: remote, acceptedAt });
    } catch (err) {
      this.handlerFailed(socket, request, remote, err);
      return;
    }
    if (frame instanceof Uint8Array) sendLast(socket, frame);
    else frame.then((f) => sendLast(socket, f), (err: unknown) => this.handlerFailed(socket, request, remote, err));
  }

  private handlerFailed(socket: net.Socket, request: KmsRequest, remote: string, err: unknown): void {
    const e = err instanceof VactError ? err : new VactError('INTERNAL', err instanceof Error ? err.message : String(err));
    this.refuse(socket, 'handler-failed', remote, e, request.nonce);
  }

  /** @internal Also for KmsConnection. */
  refuse(socket: net.Socket, reason: KmsRefusal, remote: string, err: VactError, nonce = ZERO_NONCE): void {
    this.stats.refused[reason]++;
    this.opts.onRefused?.(reason, remote, err.message);
    if (socket.destroyed) return;
    sendLast(socket, encodeKmsError({ nonce, number: err.number, code: err.code, hostTime: this.opts.clock.now(), detail: err.message }));
  }
}

/**
 * One accepted connection: one Clock timer for both deadlines (the whole request, and silence
 * mid-request), re-armed only when it fires early, so a request costs one timer and no closures
 * beyond the two socket listeners.
 */
class KmsConnection {
  private buf: Uint8Array | undefined;
  private done = false;
  private lastData: number;
  private readonly deadline: number;
  private readonly idleMs: number;
  private readonly max: number;
  private timer: Disposable | undefined;
  private readonly onData = (chunk: Buffer): void => this.data(chunk);

  constructor(private readonly listener: KmsListener, private readonly socket: net.Socket, private readonly remote: string, private readonly acceptedAt: number) {
    const o = listener.opts;
    this.lastData = o.clock.now();
    // The deadline outlives the reply: it also cuts off a peer that never reads it.
    this.deadline = this.lastData + (o.requestTimeoutMs ?? KMS_DEFAULTS.requestTimeoutMs);
    this.idleMs = o.idleTimeoutMs ?? KMS_DEFAULTS.idleTimeoutMs;
    this.max = o.maxRequestBytes ?? KMS_MAX_REQUEST_BYTES;
  }

  start(): void {
    this.arm();
    this.socket.once('close', () => {
      this.timer?.dispose();
      if (!this.done) this.listener.stopReading();
      this.listener.forget(this.socket);
    });
    this.socket.on('data', this.onData);
  }

  private arm(): void {
    const at = this.done ? this.deadline : Math.min(this.deadline, this.lastData + this.idleMs);
    this.timer = this.listener.opts.clock.setTimer(at, () => this.fire());
  }

  private fire(): void {
    const now = this.listener.opts.clock.now();
    if (this.done) {
      if (now >= this.deadline) this.socket.destroy(); // a reply was sent but the peer never closed: drop the half-open socket
      else this.arm();
      return;
    }
    if (now >= this.deadline) return this.timeout('the request did not arrive in time');
    if (now >= this.lastData + this.idleMs) return this.timeout('the client went silent mid-request');
    this.arm();
  }

  private timeout(why: string): void {
    this.finish();
    this.arm(); // the request deadline still cuts off a peer that never reads the refusal
    this.listener.refuse(this.socket, 'timeout', this.remote, new VactError('KMS_EXCHANGE_TIMEOUT', why));
  }

  private finish(): void {
    if (!this.done) this.listener.stopReading();
    this.done = true;
    this.socket.removeListener('data', this.onData);
    this.socket.pause();
  }

  private data(chunk: Buffer): void {
    if (this.done) return;
    let buf: Uint8Array = chunk;
    if (this.buf) {
      buf = new Uint8Array(this.buf.length + chunk.length);
      buf.set(this.buf);
      buf.set(chunk, this.buf.length);
    }
    this.buf = buf;
    try {
      // Judged on the first bytes: a stray TLS hello or HTTP request is refused at once.
      const header = readFrameHeader(buf, this.max);
      if (header && buf.length >= header.frameBytes) {
        this.finish();
        const msg = decodeKmsFrame(buf, ['request'], this.max);
        if (msg.type === 'request') this.listener.answer(this.socket, msg.request, this.remote, this.acceptedAt);
        return;
      }
      if (buf.length > this.max) throw new VactError('PAYLOAD_TOO_LARGE', `more than ${this.max} bytes`);
      this.lastData = this.listener.opts.clock.now();
    } catch (err) {
      this.finish();
      this.listener.refuse(this.socket, 'malformed', this.remote, err instanceof VactError ? err : new VactError('INVALID_ENCODING', String(err)));
    }
  }
}
