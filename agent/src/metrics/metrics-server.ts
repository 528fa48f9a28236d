// Prometheus `/metrics` (text exposition format, prom-client) on `--metrics-listen HOST:PORT`.
// This module is loaded only when that setting is given (compose.ts imports it lazily), so an
// agent without metrics never loads prom-client. Plain HTTP on loopback, HTTPS (the control API's
// --tls-cert/--tls-key) anywhere else. Only numbers are exposed: no CMID, machine name or key.
import * as http from 'node:http';
import * as https from 'node:https';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VactError, isLoopbackHost, type LicenseStatus } from '@vact/shared/licensing';

/** What the KMS host reports to the metrics as it answers. */
export interface KmsMetricsObserver {
  /** One answered request: its result (activated, below-threshold, …) and the time from accept to reply. */
  request(result: string, latencyMs: number): void;
  /** One connection that ended without an answer (busy, malformed, timeout, handler-failed). */
  refused(reason: string): void;
}

export interface MetricsSources {
  /** The host's count and cache size now, or null when this agent is not a KMS host. */
  kmsHost(): { count: number; cacheSize: number; listening: boolean } | null;
  licenseStatus(): LicenseStatus;
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  sources: MetricsSources;
  version: string;
}

export interface MetricsServer {
  readonly observer: KmsMetricsObserver;
  readonly url: string;
  close(): Promise<void>;
}

const STATUSES: readonly LicenseStatus[] = ['Unlicensed', 'Licensed', 'InitialGrace', 'OutOfToleranceGrace', 'Notification'];
/** Latency buckets (seconds): a signed reply takes well under a millisecond of CPU; storms queue. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Scrapers are few; anything else is refused rather than queued. */
const MAX_CONNECTIONS = 16;
const REQUEST_TIMEOUT_MS = 5_000;

/** Starts the metrics listener; resolves once it listens. Throws INVALID_CONFIG for a non-loopback host without TLS or a busy port. */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  if (!isLoopbackHost(opts.host) && !opts.tls) {
    throw new VactError('INVALID_CONFIG', `--metrics-listen ${opts.host}:${opts.port} is not a loopback address; pass --tls-cert and --tls-key to serve it over https://`, { setting: 'metricsListen' });
  }
  const registry = new Registry();
  const requests = new Counter({ name: 'vact_kms_host_requests_total', help: 'KMS requests answered by this host, by result', labelNames: ['result'], registers: [registry] });
  const refused = new Counter({ name: 'vact_kms_host_connections_refused_total', help: 'KMS connections that ended without an answer, by reason', labelNames: ['reason'], registers: [registry] });
  const latency = new Histogram({ name: 'vact_kms_host_request_duration_seconds', help: 'time from accepting a KMS connection to its reply', buckets: LATENCY_BUCKETS, registers: [registry] });
  new Gauge({
    name: 'vact_kms_host_count', help: 'the KMS host count (distinct live CMIDs, capped at the cache size)', registers: [registry],
    collect() {
      this.set(opts.sources.kmsHost()?.count ?? 0);
    },
  });
  new Gauge({
    name: 'vact_kms_host_cache_size', help: 'the KMS host CMID cache size (2x the highest threshold seen)', registers: [registry],
    collect() {
      this.set(opts.sources.kmsHost()?.cacheSize ?? 0);
    },
  });
  new Gauge({
    name: 'vact_kms_host_listening', help: '1 while the KMS host listener is up', registers: [registry],
    collect() {
      this.set(opts.sources.kmsHost()?.listening ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vact_license_status', help: "1 for this machine's license status, 0 for the others", labelNames: ['status'], registers: [registry],
    collect() {
      const now = opts.sources.licenseStatus();
      for (const s of STATUSES) this.set({ status: s }, s === now ? 1 : 0);
    },
  });
  new Gauge({ name: 'vact_agent_info', help: 'the agent version', labelNames: ['version'], registers: [registry] }).set({ version: opts.version }, 1);

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
      return;
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text);
    }, (err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`);
    });
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  server.maxConnections = MAX_CONNECTIONS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => reject(new VactError('INVALID_CONFIG', `cannot listen on --metrics-listen ${opts.host}:${opts.port}: ${err.message}`, { setting: 'metricsListen' }));
    server.once('error', fail);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', fail);
      resolve();
    });
  });
  server.on('error', () => undefined);
  server.on('clientError', (_err, socket) => socket.destroy());
  const a = server.address() as import('node:net').AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${a.port}/metrics`,
    observer: {
      request(result, latencyMs) {
        requests.inc({ result });
        latency.observe(latencyMs / 1000);
      },
      refused(reason) {
        refused.inc({ reason });
      },
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
