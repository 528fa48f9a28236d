// The agent's control API server (DESIGN §6): JSON-RPC 2.0 over WebSocket, loopback by default,
// TLS required off loopback, bearer tokens, Origin check, failed-auth rate limit, heartbeat.
// Unauthenticated connections have their own small cap and a short handshake deadline, so
// local clients without a token can neither fill the server nor lock out those with one.
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import {
  CONTROL_MAX_PAYLOAD,
  ControlNotifications,
  DEFAULT_CONTROL_HOST,
  DEFAULT_CONTROL_PORT,
  VactError,
  type AgentService,
  type ControlNotification,
  type ControlRole, isLoopbackHost } from '@vact/shared/licensing';
import { FailedAuthLimiter, bearerToken, roleForToken, type ControlTokens, type FailedAuthLimitOptions } from './auth';
import { DEFAULT_ALLOWED_ORIGINS, originAllowed } from './origin';
import { DEFAULT_MAX_BUFFERED_BYTES, fanOut } from './fan-out';
import { createHandlerRegistry } from './registry';
import { ControlSession, CLOSE_POLICY } from './session';

export type ControlLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface ControlServerOptions {
  service: AgentService;
  tokens: ControlTokens;
  /** Default 127.0.0.1. A non-loopback host requires `tls`. */
  host?: string;
  /** Default 1689; 0 picks a free port. */
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Browser origins allowed to connect (exact, or "scheme://*"); requests without Origin are always allowed. */
  allowedOrigins?: readonly string[];
  /** Largest accepted message in bytes (default 64 KiB); larger ones close the connection with 1009. */
  maxPayload?: number;
  /** Ping interval; a peer that has not answered the previous ping is dropped (default 30 s). */
  heartbeatMs?: number;
  /** A connection that has not completed the handshake by then is closed (default 5 s). */
  handshakeTimeoutMs?: number;
  /** Connections that proved a token (Authorization header or handshake), default 64. */
  maxConnections?: number;
  /** Connections that have not proved a token yet (default 16); when full, the oldest is dropped. */
  maxUnauthenticated?: number;
  /** Bytes queued for one peer before it is dropped as a slow consumer (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Failed authentications per remote address (default 10 per minute); only wrong tokens are then refused. */
  authLimit?: FailedAuthLimitOptions;
  log?: ControlLog;
}

/** A running control server; `close` releases every socket and timer it owns. */
export interface ControlServer {
  readonly address: { host: string; port: number };
  /** ws://HOST:PORT or wss://HOST:PORT */
  readonly url: string;
  connectionCount(): number;
  close(): Promise<void>;
}

/** Reads --tls-cert/--tls-key files; throws INVALID_CONFIG naming the flag. */
export function loadTlsFiles(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const read = (flag: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new VactError('INVALID_CONFIG', `${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  };
  return { cert: read('--tls-cert', certPath), key: read('--tls-key', keyPath) };
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

interface Peer {
  ws: WebSocket;
  remoteAddress: string;
  session: ControlSession;
  alive: boolean;
  handshakeTimer: NodeJS.Timeout | null;
  /** Proved a token (header at the upgrade, or the handshake). */
  proven: boolean;
}

/** Starts the control server; throws INVALID_CONFIG for a non-loopback host without TLS, UNREACHABLE-free errors of listen (e.g. EADDRINUSE) as INVALID_CONFIG. */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const host = options.host ?? DEFAULT_CONTROL_HOST;
  const port = options.port ?? DEFAULT_CONTROL_PORT;
  if (!isLoopbackHost(host) && !options.tls) {
    throw new VactError('INVALID_CONFIG', `--control ${host}:${port} is not a loopback address; pass --tls-cert and --tls-key to serve it over wss://`);
  }
  if (!options.tokens.user || !options.tokens.admin) throw new VactError('INVALID_CONFIG', 'the control tokens are empty');
  const log: ControlLog = options.log ?? (() => undefined);
  const allowedOrigins = options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS;
  const limiter = new FailedAuthLimiter(options.authLimit ?? { maxFailures: 10, windowMs: 60_000 });
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 5_000;
  const maxConnections = options.maxConnections ?? 64;
  const maxUnauthenticated = options.maxUnauthenticated ?? 16;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const registry = createHandlerRegistry(options.service);
  const peers = new Set<Peer>();
  // Insertion order is age: the oldest unauthenticated peer is the first one dropped.
  const unproven = new Set<Peer>();
  const provenCount = (): number => peers.size - unproven.size;

  const httpServer = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }) : http.createServer();
  httpServer.on('request', (_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
    res.end('vact control API: connect with a WebSocket (JSON-RPC 2.0)\n');
  });
  httpServer.on('clientError', (_err, socket) => socket.destroy());
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? CONTROL_MAX_PAYLOAD, perMessageDeflate: false });

  let heartbeat: NodeJS.Timeout | null = null;
  // The heartbeat runs only while someone is connected, so an idle agent never wakes for it.
  const syncHeartbeat = (): void => {
    if (peers.size > 0 && heartbeat === null) {
      heartbeat = setInterval(() => {
        for (const p of peers) {
          if (!p.alive) {
            p.ws.terminate();
            continue;
          }
          p.alive = false;
          try {
            p.ws.ping();
          } catch {
            p.ws.terminate();
          }
        }
      }, heartbeatMs);
    } else if (peers.size === 0 && heartbeat !== null) {
      clearInterval(heartbeat);
      heartbeat = null;
    }
  };

  const send = (ws: WebSocket, payload: unknown): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(payload), (err) => {
      if (err) log('warn', 'control send failed', { error: err.message });
    });
  };

  const onConnection = (ws: WebSocket, remoteAddress: string, headerRole: ControlRole | null): void => {
    const session = new ControlSession({
      service: options.service,
      registry,
      remoteAddress,
      headerRole,
      authenticate: (token) => roleForToken(options.tokens, token),
      recordAuthFailure: () => {
        limiter.record(remoteAddress);
        log('warn', 'control: failed authentication', { remoteAddress });
      },
      isRateLimited: () => limiter.isLimited(remoteAddress),
      log: (message, data) => log('error', message, data),
    });
    const peer: Peer = { ws, remoteAddress, session, alive: true, handshakeTimer: null, proven: headerRole !== null };
    peer.handshakeTimer = setTimeout(() => {
      peer.handshakeTimer = null;
      if (session.authenticatedRole === null) ws.close(CLOSE_POLICY, 'handshake timeout');
    }, handshakeTimeoutMs);
    peers.add(peer);
    if (!peer.proven) {
      for (const old of unproven) {
        if (unproven.size < maxUnauthenticated) break;
        // Dropping the oldest rather than refusing the newest: a real client handshakes within
        // milliseconds, so idle squatters cannot keep it out.
        unproven.delete(old);
        old.ws.terminate();
      }
      unproven.add(peer);
    }
    syncHeartbeat();

    ws.on('pong', () => {
      peer.alive = true;
    });
    ws.on('error', (err) => {
      // ws reports oversize frames and protocol violations here and closes the socket itself.
      log('warn', 'control connection error', { remoteAddress, error: err.message });
    });
    ws.on('close', () => {
      if (peer.handshakeTimer) clearTimeout(peer.handshakeTimer);
      peers.delete(peer);
      unproven.delete(peer);
      syncHeartbeat();
    });
    ws.on('message', (data: RawData) => {
      peer.alive = true;
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      session
        .handleMessage(text)
        .then((out) => {
          if (out.reply !== null) send(ws, out.reply);
          if (session.authenticatedRole !== null && peer.handshakeTimer) {
            clearTimeout(peer.handshakeTimer);
            peer.handshakeTimer = null;
          }
          if (session.authenticatedRole !== null && !peer.proven) {
            peer.proven = true;
            unproven.delete(peer);
            if (provenCount() > maxConnections) ws.close(1013, 'too many connections');
          }
          if (out.close && ws.readyState === WebSocket.OPEN) ws.close(out.close.code, out.close.reason);
        })
        .catch((err: unknown) => {
          log('error', 'control message handling failed', { error: String(err) });
          ws.terminate();
        });
    });
  };

  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const remote = req.socket.remoteAddress ?? 'unknown';
    try {
      if (!originAllowed(req.headers.origin, allowedOrigins)) {
        log('warn', 'control: refused a browser origin', { origin: req.headers.origin, remote });
        return rejectUpgrade(socket, 403, 'origin not allowed');
      }
      let headerRole: ControlRole | null = null;
      if (req.headers.authorization !== undefined) {
        const token = bearerToken(req.headers.authorization);
        headerRole = token === undefined ? null : roleForToken(options.tokens, token);
        // A valid token is never locked out (all local clients share one address); only wrong ones are.
        if (headerRole === null && limiter.isLimited(remote)) return rejectUpgrade(socket, 429, 'too many failed authentications; wait and try again');
        if (headerRole === null) {
          limiter.record(remote);
          log('warn', 'control: failed authentication', { remoteAddress: remote });
          return rejectUpgrade(socket, 401, 'the bearer token matches neither the user nor the admin token');
        }
        if (provenCount() >= maxConnections) return rejectUpgrade(socket, 503, 'too many connections');
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, remote, headerRole));
    } catch (err) {
      log('error', 'control upgrade failed', { error: String(err) });
      socket.destroy();
    }
  });

  const unsubscribe = options.service.onNotification((n: ControlNotification) => {
    const entry = ControlNotifications[n.method];
    const checked = entry?.params.safeParse(n.params);
    if (!checked || !checked.success) {
      log('error', 'the agent emitted a notification that does not match the control API schema', { method: n.method });
      return;
    }
    const targets = [...peers].filter((p) => p.ws.readyState === WebSocket.OPEN && p.session.wants(n));
    if (targets.length === 0) return;
    // Serialised once for all peers; a peer that does not read is dropped, not buffered for ever.
    const text = JSON.stringify({ jsonrpc: '2.0', method: n.method, params: checked.data });
    const byWs = new Map(targets.map((p) => [p.ws, p] as const));
    for (const ws of fanOut(byWs.keys(), text, maxBufferedBytes, (err) => log('warn', 'control send failed', { error: err.message }))) {
      log('warn', 'control: dropped a slow consumer of notifications', { remoteAddress: byWs.get(ws)?.remoteAddress, bufferedAmount: ws.bufferedAmount });
    }
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new VactError('INVALID_CONFIG', `--control ${host}:${port}: cannot listen (${err.code ?? err.message})`));
    };
    httpServer.once('error', onError);
    httpServer.listen(port, host, () => {
      httpServer.off('error', onError);
      resolve();
    });
  }).catch((err: unknown) => {
    unsubscribe.dispose();
    throw err;
  });
  httpServer.on('error', (err) => log('error', 'control server error', { error: err.message }));

  const addr = httpServer.address();
  const bound: { host: string; port: number } = typeof addr === 'object' && addr ? { host, port: addr.port } : { host, port };
  const urlHost = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
  let closed: Promise<void> | null = null;
  return {
    address: bound,
    url: `${options.tls ? 'wss' : 'ws'}://${urlHost}:${bound.port}`,
    connectionCount: () => peers.size,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        unsubscribe.dispose();
        if (heartbeat) clearInterval(heartbeat);
        heartbeat = null;
        for (const p of peers) {
          if (p.handshakeTimer) clearTimeout(p.handshakeTimer);
          p.ws.terminate();
        }
        peers.clear();
        unproven.clear();
        wss.close();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections?.();
      });
      return closed;
    },
  };
}
