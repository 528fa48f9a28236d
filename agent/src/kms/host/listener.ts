// The KMS host's TCP edge (docs/protocol.md, "KMS wire protocol"): one request, one reply, close.
// Everything a remote peer can do wrong — garbage, oversized headers, slow or silent senders,
// half-open sockets, connection floods — ends in an error frame or a closed socket, never a crash.
// Timers go through the Clock, so tests drive slow senders with a SimClock instead of sleeping.
import * as net from 'node:net';
import {
  decodeKmsFrame, encodeKmsError, KMS_MAX_REQUEST_BYTES, readFrameHeader, VactError, ZERO_NONCE,
  type Clock, type Disposable, type KmsRequest,
} from '@vact/shared';

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

export const KMS_DEFAULTS = { requestTimeoutMs: 5000, idleTimeoutMs: 2000, maxConnections: 256 } as const;

export class KmsListener {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  readonly stats: KmsListenerStats = { connections: 0, open: 0, refused: { busy: 0, malformed: 0, timeout: 0, 'handler-failed': 0 } };

  constructor(private readonly opts: KmsListenerOptions) {}

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
    socket.on('error', () => undefined); // resets and broken pipes are the peer's business
    if (this.sockets.size >= (this.opts.maxConnections ?? KMS_DEFAULTS.maxConnections)) {
      this.refuse(socket, 'busy', remote, new VactError('KMS_HOST_BUSY'));
      // A peer that never reads the refusal must not hold the socket open.
      const t = this.opts.clock.setTimer(this.opts.clock.now() + (this.opts.idleTimeoutMs ?? KMS_DEFAULTS.idleTimeoutMs), () => socket.destroy());
      socket.once('close', () => t.dispose());
      return;
    }
    this.sockets.add(socket);
    this.stats.open = this.sockets.size;
    const clock = this.opts.clock;
    const timers: Disposable[] = [];
    let idle: Disposable | undefined;
    let done = false;
    const armIdle = (): void => {
      idle?.dispose();
      idle = clock.setTimer(clock.now() + (this.opts.idleTimeoutMs ?? KMS_DEFAULTS.idleTimeoutMs), () => timeout('the client went silent mid-request'));
    };
    const timeout = (why: string): void => {
      if (done) {
        socket.destroy(); // a reply was sent but the peer never closed: drop the half-open socket
        return;
      }
      finish();
      this.refuse(socket, 'timeout', remote, new VactError('KMS_EXCHANGE_TIMEOUT', why));
    };
    // The deadline outlives the reply: it also cuts off a peer that never reads it.
    timers.push(clock.setTimer(clock.now() + (this.opts.requestTimeoutMs ?? KMS_DEFAULTS.requestTimeoutMs), () => timeout('the request did not arrive in time')));
    armIdle();
    const finish = (): void => {
      done = true;
      idle?.dispose();
      socket.removeListener('data', onData);
      socket.pause();
    };
    socket.once('close', () => {
      for (const t of timers) t.dispose();
      idle?.dispose();
      this.sockets.delete(socket);
      this.stats.open = this.sockets.size;
    });
    let buf = new Uint8Array(0);
    const max = this.opts.maxRequestBytes ?? KMS_MAX_REQUEST_BYTES;
    const onData = (chunk: Buffer): void => {
      if (done) return;
      const next = new Uint8Array(buf.length + chunk.length);
      next.set(buf);
      next.set(chunk, buf.length);
      buf = next;
      try {
        // Judged on the first bytes: a stray TLS hello or HTTP request is refused at once.
        const header = readFrameHeader(buf, max);
        if (header && buf.length >= header.frameBytes) {
          finish();
          const msg = decodeKmsFrame(buf, ['request'], max);
          if (msg.type === 'request') void this.reply(socket, msg.request, remote, acceptedAt);
          return;
        }
        if (buf.length > max) throw new VactError('PAYLOAD_TOO_LARGE', `more than ${max} bytes`);
        armIdle();
      } catch (err) {
        finish();
        this.refuse(socket, 'malformed', remote, err instanceof VactError ? err : new VactError('INVALID_ENCODING', String(err)));
      }
    };
    socket.on('data', onData);
  }

  private async reply(socket: net.Socket, request: KmsRequest, remote: string, acceptedAt: number): Promise<void> {
    let frame: Uint8Array;
    try {
      frame = await this.opts.handle(request, { remoteAddress: remote, acceptedAt });
    } catch (err) {
      const e = err instanceof VactError ? err : new VactError('INTERNAL', err instanceof Error ? err.message : String(err));
      this.refuse(socket, 'handler-failed', remote, e, request.nonce);
      return;
    }
    socket.end(frame);
  }

  private refuse(socket: net.Socket, reason: KmsRefusal, remote: string, err: VactError, nonce = ZERO_NONCE): void {
    this.stats.refused[reason]++;
    this.opts.onRefused?.(reason, remote, err.message);
    if (socket.destroyed) return;
    socket.end(encodeKmsError({ nonce, number: err.number, code: err.code, hostTime: this.opts.clock.now(), detail: err.message }));
  }
}
