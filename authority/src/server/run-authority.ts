// Starts a whole authority from its settings: directory, store, clock, catalogue, server.
import * as fs from 'node:fs';
import {
  parseClockSpec, VactError, SimClock, catalogueIdentity, referenceCatalogue, AUTHORITY_DEFAULT_PORT, type Catalogue, type Clock, isLoopbackHost, splitHostPort,
} from '@vact/shared';
import { SystemClock, nodeEd25519, readCatalogueFile } from '@vact/shared/node';
import { loadAuthorityDir, markServeStopped, writeServeInfo } from '../config/authority-dir';
import { openStore, parseDbSetting, redactDbUrl } from '../storage/open-store';
import type { AuthorityStore } from '../storage/store';
import { DEFAULT_HOST_CERTIFICATE_DAYS, type AuthorityContext } from '../domain/authority-context';
import { AuthorityServer } from './authority-server';
import { createJsonLog, stdoutLogDestination, type JsonLog, type LogDestination } from '@vact/shared/node/log';
import type { RateLimit } from './rate-limiter';

export interface AuthoritySettings {
  dir: string;
  listen?: string;
  db?: string;
  /** system, sim or sim:ISO-TIME (default system). */
  clock?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  rateLimit?: RateLimit | null;
  catalogueFile?: string;
  hostCertificateDays?: number;
  sqliteSynchronous?: 'full' | 'normal';
  /** Where the JSON log lines go (default stdout; null: nowhere). */
  log?: LogDestination | null;
}

export interface RunningAuthority {
  url: string;
  server: AuthorityServer;
  store: AuthorityStore;
  clock: Clock;
  logger: JsonLog;
  /** Graceful stop: no new connections, in-flight requests finish, then the database closes. */
  stop(): Promise<void>;
}

/** Default per-client limit on activation calls: 20/s with bursts of 100. */
export const DEFAULT_RATE_LIMIT: RateLimit = { ratePerSecond: 20, burst: 100 };

/** Splits HOST:PORT ([v6]:PORT too); a bare port means 127.0.0.1, an empty host 0.0.0.0. */
export function parseListen(value: string): { host: string; port: number } {
  const hp = splitHostPort(/^\d{1,5}$/.test(value) ? `127.0.0.1:${value}` : value);
  if ('error' in hp) throw new VactError('INVALID_CONFIG', `--listen must be HOST:PORT (e.g. 127.0.0.1:${AUTHORITY_DEFAULT_PORT}), not "${value}": ${hp.error}`);
  return { host: hp.host || '0.0.0.0', port: hp.port };
}

function loadCatalogue(file: string | undefined): Catalogue {
  return file ? readCatalogueFile(file) : referenceCatalogue();
}

/** Starts an authority and resolves once it is listening. */
export async function runAuthority(s: AuthoritySettings): Promise<RunningAuthority> {
  const { host, port } = parseListen(s.listen ?? `127.0.0.1:${AUTHORITY_DEFAULT_PORT}`);
  if ((s.tlsCert === undefined) !== (s.tlsKey === undefined)) {
    throw new VactError('INVALID_CONFIG', '--tls-cert and --tls-key go together');
  }
  if (!s.tlsCert && !isLoopbackHost(host) && !s.insecureHttp) {
    throw new VactError('INVALID_CONFIG', `listening on ${host} (not loopback) needs --tls-cert/--tls-key, or --insecure-http to serve plain HTTP anyway`);
  }
  const hostCertificateDays = s.hostCertificateDays ?? DEFAULT_HOST_CERTIFICATE_DAYS;
  if (!Number.isInteger(hostCertificateDays) || hostCertificateDays < 1 || hostCertificateDays > 3650) {
    throw new VactError('INVALID_CONFIG', `--host-cert-days must be a whole number of days 1…3650, not ${hostCertificateDays}`);
  }
  const dir = loadAuthorityDir(s.dir);
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (s.tlsCert && s.tlsKey) {
    try {
      tls = { cert: fs.readFileSync(s.tlsCert), key: fs.readFileSync(s.tlsKey) };
    } catch (err) {
      throw new VactError('INVALID_CONFIG', `cannot read the TLS certificate or key: ${(err as Error).message}`);
    }
  }
  const catalogue = loadCatalogue(s.catalogueFile);
  const spec = parseClockSpec(s.clock ?? 'system');
  if ('error' in spec) throw new VactError('INVALID_CONFIG', `--clock: ${spec.error}`, { setting: 'clock' });
  const clock: Clock = spec.kind === 'sim' ? new SimClock(spec.start ?? Date.now()) : new SystemClock();
  const logger = createJsonLog(s.log === undefined ? stdoutLogDestination() : s.log ?? { write: () => undefined });
  const db = parseDbSetting(s.db, dir.dir);
  const store = await openStore(db, { synchronous: s.sqliteSynchronous, now: () => clock.now() });
  const ctx: AuthorityContext = {
    store, clock, catalogue, crypto: nodeEd25519, rootPrivateKey: dir.rootPrivateKey, rootPublicKey: dir.rootPublicKey,
    hostCertificateValidityMs: hostCertificateDays * 86_400_000,
  };
  const server = new AuthorityServer({
    ctx, adminToken: dir.adminToken, logger, tls,
    rateLimit: s.rateLimit === undefined ? DEFAULT_RATE_LIMIT : s.rateLimit,
  });
  let bound;
  try {
    bound = await server.listen(host, port);
  } catch (err) {
    await store.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new VactError('INVALID_CONFIG', `cannot listen on ${host}:${port} (${code ?? (err as Error).message})${code === 'EADDRINUSE' ? '; another process uses the port' : ''}`);
  }
  // Local admin commands find the service through its dir (`--dir D` needs no `--url`).
  writeServeInfo(dir.dir, bound.url);
  logger.info('listening', {
    url: bound.url, db: db.kind === 'sqlite' ? `sqlite:${db.path}` : redactDbUrl(db.url), clock: clock.kind,
    schemaVersion: await store.schemaVersion(), publicKeyFile: dir.publicKeyPath, catalogue: catalogueIdentity(catalogue),
  });
  let stopping: Promise<void> | undefined;
  return {
    url: bound.url, server, store, clock, logger,
    stop: () => {
      stopping ??= (async () => {
        logger.info('stopping');
        await server.close();
        await store.close();
        markServeStopped(dir.dir);
        logger.info('stopped');
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
      })();
      return stopping;
    },
  };
}
