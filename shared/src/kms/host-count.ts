// The KMS host's count (DESIGN §3): a cache of the CMIDs that asked in the last 30 days. Its
// size is 2 x the highest threshold seen (never shrinking); the count is the number of live
// entries, so it never exceeds the size. Clients and servers share one count. Pure and
// JSON-friendly: the host persists the structure as is; time comes in as an argument.
import type { EditionKind } from '../catalogue/types';
import { VactError } from '../errors/error-codes';

export const HOST_COUNT_VERSION = 1;
/** DESIGN §3: a CMID cache entry lives 30 days. */
export const DEFAULT_CMID_LIFETIME_DAYS = 30;
const DAY_MS = 86_400_000;
const MAX_CMID_LENGTH = 128;
/** Thresholds above this are refused: the cache would grow without bound. */
export const MAX_THRESHOLD = 100_000;

export interface HostCountEntry {
  cmid: string;
  /** Edition kind of the requesting machine (for `vact host clients`); the count ignores it. */
  kind: EditionKind;
  /** Edition id, when known. */
  edition?: string;
  /** Time of the machine's latest request. */
  at: number;
}

export interface HostCountCache {
  version: typeof HOST_COUNT_VERSION;
  /** 2 x the highest threshold seen; 0 before the first request. Never shrinks. */
  capacity: number;
  /** Highest threshold seen. */
  highestThreshold: number;
  /** Oldest request first. */
  entries: HostCountEntry[];
}

export interface CountRequest {
  cmid: string;
  /** The activation threshold of the requesting edition (25 client, 5 server in the reference catalogue). */
  threshold: number;
  kind: EditionKind;
  edition?: string;
  now: number;
}

export interface CountResult {
  cache: HostCountCache;
  /** Distinct CMIDs in the cache in the last 30 days, the requester included. */
  count: number;
  /** count >= the requesting edition's threshold. */
  activated: boolean;
}

export interface HostCountOptions {
  /** Entry lifetime in days (catalogue rule cmidCacheLifetimeDays); 30 by default. */
  lifetimeDays?: number;
}

/** An empty count for a new host. */
export function emptyHostCount(): HostCountCache {
  return { version: HOST_COUNT_VERSION, capacity: 0, highestThreshold: 0, entries: [] };
}

function lifetimeMs(opts: HostCountOptions | undefined): number {
  const days = opts?.lifetimeDays ?? DEFAULT_CMID_LIFETIME_DAYS;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) throw new VactError('INVALID_CONFIG', `the CMID cache lifetime must be a positive number of days (got ${String(days)})`, { setting: 'cmidCacheLifetimeDays' });
  return days * DAY_MS;
}

function isLive(e: HostCountEntry, now: number, life: number): boolean {
  return e.at + life > now;
}

/** Records one client request: drops expired entries, refreshes the requester's entry, evicts the oldest when full. */
export function recordRequest(cache: HostCountCache, req: CountRequest, opts?: HostCountOptions): CountResult {
  if (!req || typeof req.cmid !== 'string' || req.cmid.length === 0 || req.cmid.length > MAX_CMID_LENGTH) {
    throw new VactError('INVALID_REQUEST', `a CMID must be 1 to ${MAX_CMID_LENGTH} characters`);
  }
  if (typeof req.threshold !== 'number' || !Number.isInteger(req.threshold) || req.threshold < 1 || req.threshold > MAX_THRESHOLD) {
    throw new VactError('INVALID_REQUEST', `a threshold must be a whole number from 1 to ${MAX_THRESHOLD} (got ${String(req.threshold)})`);
  }
  if (req.kind !== 'client' && req.kind !== 'server') throw new VactError('INVALID_REQUEST', `the edition kind must be client or server (got ${String(req.kind)})`);
  if (typeof req.now !== 'number' || !Number.isFinite(req.now)) throw new VactError('INVALID_REQUEST', 'the request time must be a finite number of ms');
  const life = lifetimeMs(opts);
  const highestThreshold = Math.max(cache.highestThreshold, req.threshold);
  const capacity = Math.max(cache.capacity, 2 * highestThreshold);
  // A renewal removes the old entry and adds a fresh one.
  const entries = cache.entries.filter((e) => isLive(e, req.now, life) && e.cmid !== req.cmid);
  entries.push({ cmid: req.cmid, kind: req.kind, ...(req.edition !== undefined ? { edition: req.edition } : {}), at: req.now });
  while (entries.length > capacity) entries.shift();
  const count = entries.length;
  return { cache: { version: HOST_COUNT_VERSION, capacity, highestThreshold, entries }, count, activated: count >= req.threshold };
}

/** The count at `now` without recording anything (for `vact host status`). */
export function currentCount(cache: HostCountCache, now: number, opts?: HostCountOptions): number {
  const life = lifetimeMs(opts);
  return Math.min(cache.capacity, cache.entries.filter((e) => isLive(e, now, life)).length);
}

/** The live entries at `now`, newest first (for `vact host clients`). */
export function liveEntries(cache: HostCountCache, now: number, opts?: HostCountOptions): HostCountEntry[] {
  const life = lifetimeMs(opts);
  return cache.entries.filter((e) => isLive(e, now, life)).reverse();
}

/** Drops expired entries (a host may call this before persisting; counting does it anyway). */
export function pruneHostCount(cache: HostCountCache, now: number, opts?: HostCountOptions): HostCountCache {
  const life = lifetimeMs(opts);
  return { ...cache, entries: cache.entries.filter((e) => isLive(e, now, life)) };
}

/** Checks a persisted count (parsed JSON); VactError('STATE_CORRUPT') naming the bad field, else the cache. */
export function parseHostCount(json: unknown): HostCountCache {
  const bad = (field: string): never => {
    throw new VactError('STATE_CORRUPT', `KMS host count: ${field} is missing or wrong`, { field });
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) return bad('document');
  const doc = json as Record<string, unknown>;
  if (doc['version'] !== HOST_COUNT_VERSION) throw new VactError('STATE_VERSION_UNSUPPORTED', `KMS host count version ${String(doc['version'])}`);
  const capacity = doc['capacity'];
  const highest = doc['highestThreshold'];
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0) bad('capacity');
  if (typeof highest !== 'number' || !Number.isInteger(highest) || highest < 0) bad('highestThreshold');
  if (!Array.isArray(doc['entries'])) return bad('entries');
  const entries: HostCountEntry[] = [];
  for (const [i, raw] of (doc['entries'] as unknown[]).entries()) {
    const e = raw as Record<string, unknown> | null;
    if (!e || typeof e !== 'object' || typeof e['cmid'] !== 'string' || (e['kind'] !== 'client' && e['kind'] !== 'server') || typeof e['at'] !== 'number' || !Number.isFinite(e['at'])) bad(`entries[${i}]`);
    const edition = e!['edition'];
    if (edition !== undefined && typeof edition !== 'string') bad(`entries[${i}].edition`);
    entries.push({ cmid: e!['cmid'] as string, kind: e!['kind'] as EditionKind, ...(edition !== undefined ? { edition: edition as string } : {}), at: e!['at'] as number });
  }
  if (entries.length > (capacity as number)) bad('entries (more than capacity)');
  return { version: HOST_COUNT_VERSION, capacity: capacity as number, highestThreshold: highest as number, entries };
}
