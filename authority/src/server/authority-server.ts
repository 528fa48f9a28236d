// The authority's HTTP(S) server on node:http: routing, body cap, token auth, rate limiting,
// request logs and graceful shutdown. Domain rules live in ../domain.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  VactError, parseDuration,
  AUTHORITY_MAX_BODY_BYTES, AUTHORITY_MAX_BATCH_BODY_BYTES,
  MakActivationRequestSchema, KmsHostActivationRequestSchema, OfflineConfirmRequestSchema, OfflineBatchRequestSchema,
  IssueKeyRequestSchema, ClockAdvanceRequestSchema,
  type SimClock,
} from '@vact/shared';
import type { AuthorityContext } from '../domain/authority-context';
import { ActivationService } from '../domain/activation-service';
import { KeyAdministration } from '../domain/key-admin';
import { TokenBucketLimiter, type RateLimit } from './rate-limiter';
import type { JsonLog } from '@vact/shared/node/log';
import { redactPath } from './request-log';
import { httpStatusOf } from './http-status';
import { BodyTooLarge, readJsonBody, validate } from './request-body';

export interface AuthorityServerOptions {
  ctx: AuthorityContext;
  adminToken: string;
  /** Per-client limit on activation calls; null turns it off. */
  rateLimit: RateLimit | null;
  logger: JsonLog;
  tls?: { cert: Buffer; key: Buffer };
}

interface RequestContext {
  remote: string;
  params: string[];
  query: URLSearchParams;
  req: http.IncomingMessage;
}

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  /** Needs the admin token. */
  admin?: boolean;
  /** Counts against the caller's activation rate limit. */
  limited?: boolean;
  maxBody?: number;
  status?: number;
  handle(c: RequestContext): unknown;
}

/** Failed admin authentications allowed per client (per second, burst) before 429. */
const AUTH_FAILURE_LIMIT: RateLimit = { ratePerSecond: 1, burst: 10 };
/** How long in-flight requests may take to finish at shutdown before connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export class AuthorityServer {
  private readonly server: http.Server;
  private readonly routes: Route[];
  private readonly activation: ActivationService;
  private readonly keys: KeyAdministration;
  private readonly limiter: TokenBucketLimiter | null;
  private readonly authFailures = new TokenBucketLimiter(AUTH_FAILURE_LIMIT);
  private readonly adminTokenDigest: Buffer;
  private inFlight = 0;
  private closing = false;
  private idle: (() => void) | null = null;

  constructor(private readonly opts: AuthorityServerOptions) {
    this.activation = new ActivationService(opts.ctx);
    this.keys = new KeyAdministration(opts.ctx);
    this.limiter = opts.rateLimit ? new TokenBucketLimiter(opts.rateLimit) : null;
    this.adminTokenDigest = digest(opts.adminToken);
    this.routes = this.buildRoutes();
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => { void this.handle(req, res); };
    this.server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
    this.server.keepAliveTimeout = 5_000;
    this.server.maxHeadersCount = 50;
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(host: string, port: number): Promise<{ host: string; port: number; url: string }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const a = this.server.address() as AddressInfo;
        const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        resolve({ host: a.address, port: a.port, url: `${this.opts.tls ? 'https' : 'http'}://${h}:${a.port}` });
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish (acknowledged activations are committed), then closes. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const drained = this.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => { this.idle = resolve; });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, SHUTDOWN_GRACE_MS); });
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
  }

  private buildRoutes(): Route[] {
    const { ctx } = this.opts;
    const key = /^\/v1\/keys\/([^/]+)$/;
    return [
      { method: 'GET', path: /^\/v1\/health$/, handle: () => ({ status: 'ok', db: ctx.store.kind, clock: { kind: ctx.clock.kind, now: ctx.clock.now() } }) },
      { method: 'GET', path: /^\/v1\/authority-key$/, handle: () => ({ algorithm: 'Ed25519', publicKey: ctx.rootPublicKey }) },
      { method: 'GET', path: /^\/v1\/clock$/, handle: () => ({ kind: ctx.clock.kind, now: ctx.clock.now() }) },
      {
        method: 'POST', path: /^\/v1\/activate\/mak$/, limited: true,
        handle: async (c) => this.activation.activateMak(validate(MakActivationRequestSchema, await readJsonBody(c.req, AUTHORITY_MAX_BODY_BYTES)), c.remote),
      },
      {
        method: 'POST', path: /^\/v1\/activate\/kms-host$/, limited: true,
        handle: async (c) => this.activation.activateKmsHost(validate(KmsHostActivationRequestSchema, await readJsonBody(c.req, AUTHORITY_MAX_BODY_BYTES)), c.remote),
      },
      {
        method: 'POST', path: /^\/v1\/offline\/confirm$/, limited: true,
        handle: async (c) => {
          const r = validate(OfflineConfirmRequestSchema, await readJsonBody(c.req, AUTHORITY_MAX_BODY_BYTES));
          return this.activation.confirmOffline(r.installationId, c.remote, r.catalogueDigest);
        },
      },
      {
        method: 'POST', path: /^\/v1\/offline\/confirm-batch$/, limited: true,
        handle: async (c) => {
          const r = validate(OfflineBatchRequestSchema, await readJsonBody(c.req, AUTHORITY_MAX_BATCH_BODY_BYTES));
          return this.activation.confirmOfflineBatch(r.installationIds, c.remote, r.catalogueDigests);
        },
      },
      {
        method: 'POST', path: /^\/v1\/keys$/, admin: true, status: 201,
        handle: async (c) => this.keys.issue(validate(IssueKeyRequestSchema, await readJsonBody(c.req, AUTHORITY_MAX_BODY_BYTES)), `admin@${c.remote}`),
      },
      { method: 'GET', path: /^\/v1\/keys$/, admin: true, handle: async () => ({ keys: await this.keys.list() }) },
      { method: 'GET', path: key, admin: true, handle: async (c) => this.keys.info(c.params[0]) },
      { method: 'POST', path: /^\/v1\/keys\/([^/]+)\/revoke$/, admin: true, handle: async (c) => this.keys.revoke(c.params[0], `admin@${c.remote}`) },
      {
        method: 'GET', path: /^\/v1\/audit$/, admin: true,
        handle: async (c) => {
          const raw = c.query.get('limit') ?? '100';
          const limit = Number(raw);
          if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new VactError('INVALID_REQUEST', `limit must be an integer 1…10000, not "${raw}"`);
          return { entries: await this.keys.auditTrail(limit) };
        },
      },
      {
        method: 'POST', path: /^\/v1\/clock\/advance$/, admin: true,
        handle: async (c) => {
          const body = validate(ClockAdvanceRequestSchema, await readJsonBody(c.req, AUTHORITY_MAX_BODY_BYTES));
          if (ctx.clock.kind !== 'sim') throw new VactError('SIM_CLOCK_ONLY', 'this authority runs on the system clock');
          const ms = parseDuration(body.by);
          (ctx.clock as SimClock).advance(ms);
          return { kind: ctx.clock.kind, now: ctx.clock.now() };
        },
      },
    ];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const remote = req.socket.remoteAddress ?? 'unknown';
    this.inFlight++;
    let errorCode: string | undefined;
    let path = '/';
    try {
      const url = new URL(req.url ?? '/', 'http://authority');
      path = url.pathname;
      const matches = this.routes.filter((r) => r.path.test(url.pathname));
      const route = matches.find((r) => r.method === req.method);
      if (!route) {
        if (matches.length) {
          res.setHeader('Allow', [...new Set(matches.map((r) => r.method))].join(', '));
          throw Object.assign(new VactError('INVALID_REQUEST', `${req.method} is not allowed on ${redactPath(url.pathname)}`), { status: 405 });
        }
        throw new VactError('NOT_FOUND', `no such endpoint: ${req.method} ${redactPath(url.pathname)} (paths start with /v1/)`);
      }
      if (route.limited && this.limiter) {
        const t = this.limiter.take(remote);
        if (!t.ok) {
          res.setHeader('Retry-After', String(t.retryAfterSeconds));
          throw new VactError('RATE_LIMITED', `too many activation requests from ${remote}; retry in ${t.retryAfterSeconds} s`, { retryAfterSeconds: t.retryAfterSeconds });
        }
      }
      if (route.admin) this.checkAdmin(req, remote);
      const params = (route.path.exec(url.pathname) ?? []).slice(1).map((p) => {
        try { return decodeURIComponent(p); } catch { throw new VactError('INVALID_REQUEST', 'the path is not valid percent-encoding'); }
      });
      const body = await route.handle({ remote, params, query: url.searchParams, req });
      this.send(res, route.status ?? 200, body);
    } catch (err) {
      const e = err instanceof VactError ? err : new VactError('INTERNAL', 'the authority failed to handle the request');
      if (!(err instanceof VactError)) {
        this.opts.logger.error('internal error', { path: redactPath(path), error: (err as Error)?.message ?? String(err) });
      }
      errorCode = e.code;
      if (err instanceof BodyTooLarge && err.closeConnection) res.setHeader('Connection', 'close');
      const status = (err as { status?: number }).status ?? httpStatusOf(e.code);
      this.send(res, status, { error: e.toJSON() });
    } finally {
      res.once('finish', () => {
        this.opts.logger.info('request', {
          method: req.method, path: redactPath(path), status: res.statusCode,
          ms: Math.round((performance.now() - started) * 100) / 100, remote, ...(errorCode ? { code: errorCode } : {}),
        });
      });
      // A request that never gets to send still ends here; count it done once the response is flushed or aborted.
      const done = (): void => {
        this.inFlight--;
        if (this.inFlight === 0 && this.idle) this.idle();
      };
      if (res.writableFinished || res.destroyed) done();
      else { res.once('close', done); }
    }
  }

  private checkAdmin(req: http.IncomingMessage, remote: string): void {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m && timingSafeEqual(digest(m[1]), this.adminTokenDigest)) return;
    // Always on: it guards the admin token, which has nothing to do with activation rate limiting.
    if (!this.authFailures.take(remote).ok) {
      throw new VactError('RATE_LIMITED', `too many failed authentications from ${remote}`);
    }
    throw new VactError('UNAUTHORIZED', m ? 'the admin token is wrong' : 'this endpoint needs the admin token (Authorization: Bearer TOKEN)');
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.setHeader('Cache-Control', 'no-store');
    if (this.closing) res.setHeader('Connection', 'close');
    res.end(text);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
