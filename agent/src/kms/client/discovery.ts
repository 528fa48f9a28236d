// Finding a KMS host (DESIGN §3): a static host wins; otherwise DNS SRV _vlmcs._tcp.<domain> for each
// configured domain, tried in RFC 2782 order. A host that does not answer is dropped and the next
// tried; the one that answers is cached and used until it fails, then DNS is asked again.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { VactError } from '@vact/shared/licensing';
import { orderSrv, type RandomSource, type SrvRecord } from './srv-choice';
import type { KmsTarget } from './exchange';

export interface DiscoveryOptions {
  /** `vact kms set HOST[:PORT]`: used alone when set. */
  staticHost?: KmsTarget;
  domains: string[];
  /** DNS server as HOST:PORT or HOST (`--dns-server`); the system's resolvers when absent. */
  dnsServers?: string[];
  /** Per-query timeout (ms); one try, since we fall through to the next domain or host anyway. */
  dnsTimeoutMs?: number;
  random?: RandomSource;
  /** Test seam: how SRV records are fetched (default: a node:dns Resolver). */
  resolveSrv?: (name: string, signal: AbortSignal | undefined) => Promise<SrvRecord[]>;
  resolveAddress?: (host: string, signal: AbortSignal | undefined) => Promise<string>;
}

export type HostSource = 'static' | 'dns' | 'cache';

export interface Found<T> { target: KmsTarget; source: HostSource; result: T }

/** A failed attempt, kept so the caller can log why each host was dropped. */
export interface Attempt { target: KmsTarget; error: unknown }

export class KmsDiscovery {
  private cached: KmsTarget | undefined;

  constructor(private readonly opts: DiscoveryOptions) {}

  /** The host renewals go to, if one answered before. */
  get cachedHost(): KmsTarget | undefined {
    return this.cached;
  }

  forget(): void {
    this.cached = undefined;
  }

  /** Seeds the cache with a host that answered before (e.g. before a restart). */
  remember(target: KmsTarget): void {
    this.cached = target;
  }

  /**
   * Runs `attempt` against hosts until one succeeds. `attempt` should throw only when the host did
   * not answer (a refusal is an answer). Throws NO_KMS_HOST / NO_SRV_RECORDS with every attempt in details.
   */
  async find<T>(attempt: (t: KmsTarget, signal: AbortSignal | undefined) => Promise<T>, signal?: AbortSignal): Promise<Found<T> & { failed: Attempt[] }> {
    const failed: Attempt[] = [];
    const tryOne = async (target: KmsTarget, source: HostSource): Promise<(Found<T> & { failed: Attempt[] }) | undefined> => {
      signal?.throwIfAborted();
      try {
        const result = await attempt(target, signal);
        this.cached = target;
        return { target, source, result, failed };
      } catch (error) {
        signal?.throwIfAborted();
        failed.push({ target, error });
        return undefined;
      }
    };
    if (this.opts.staticHost) {
      const r = await tryOne(this.opts.staticHost, 'static');
      if (r) return r;
      throw new VactError('KMS_HOST_UNREACHABLE', `${fmt(this.opts.staticHost)} (set with vact kms set)`, { tried: failed.map((f) => fmt(f.target)) });
    }
    if (this.cached) {
      const r = await tryOne(this.cached, 'cache');
      if (r) return r;
      this.cached = undefined;
    }
    if (this.opts.domains.length === 0) throw new VactError('NO_KMS_HOST', 'no static host and no KMS domain configured');
    let anyRecords = false;
    for (const domain of this.opts.domains) {
      const records = await this.lookup(`_vlmcs._tcp.${domain}`, signal).catch((err: unknown) => {
        signal?.throwIfAborted();
        failed.push({ target: { host: `_vlmcs._tcp.${domain}`, port: 0 }, error: err });
        return [] as SrvRecord[];
      });
      anyRecords ||= records.length > 0;
      for (const rec of orderSrv(records, this.opts.random)) {
        const host = rec.name.replace(/\.$/, '');
        if (failed.some((f) => f.target.host === host && f.target.port === rec.port)) continue;
        // The target's address comes from the same DNS server as the SRV record, not the system's.
        const address = await this.address(host, signal).catch((error: unknown) => {
          signal?.throwIfAborted();
          failed.push({ target: { host, port: rec.port }, error });
          return undefined;
        });
        if (address === undefined) continue;
        const r = await tryOne({ host, port: rec.port, address }, 'dns');
        if (r) return r;
      }
    }
    const details = { domains: this.opts.domains, tried: failed.map((f) => `${fmt(f.target)}: ${f.error instanceof Error ? f.error.message : String(f.error)}`) };
    if (!anyRecords) throw new VactError('NO_SRV_RECORDS', this.opts.domains.map((d) => `_vlmcs._tcp.${d}`).join(', '), details);
    throw new VactError('NO_KMS_HOST', 'no published KMS host answered', details);
  }

  private resolver(): Resolver {
    const resolver = new Resolver({ timeout: this.opts.dnsTimeoutMs ?? 2000, tries: 1 });
    if (this.opts.dnsServers?.length) resolver.setServers(this.opts.dnsServers);
    return resolver;
  }

  private async address(host: string, signal: AbortSignal | undefined): Promise<string> {
    if (isIP(host)) return host;
    if (this.opts.resolveAddress) return this.opts.resolveAddress(host, signal);
    const resolver = this.resolver();
    const onAbort = (): void => resolver.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const [first] = await resolver.resolve4(host);
      if (!first) throw new VactError('KMS_HOST_UNREACHABLE', `${host} has no A record`);
      return first;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async lookup(name: string, signal: AbortSignal | undefined): Promise<SrvRecord[]> {
    if (this.opts.resolveSrv) return this.opts.resolveSrv(name, signal);
    const resolver = this.resolver();
    const onAbort = (): void => resolver.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await resolver.resolveSrv(name);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
      throw new VactError('NO_SRV_RECORDS', `${name}: ${(err as Error).message}`, { name, code });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

function fmt(t: KmsTarget): string {
  return t.port ? `${t.host}:${t.port}` : t.host;
}
