// The KMS host's count (DESIGN §3): a cache of the CMIDs that asked in the last 30 days. Its
// size is 2 x the highest threshold seen (never shrinking); the count is the number of live
// entries, so it never exceeds the size. Clients and servers share one count. Pure and
// persisted as JSON (toJSON / parseHostCount); time comes in as an argument.
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

/** The persisted form of a count (kms-host.json "count"). */
export interface HostCountDocument {
  version: typeof HOST_COUNT_VERSION;
  capacity: number;
  highestThreshold: number;
  entries: HostCountEntry[];
}

/** Where a chain of caches keeps its entries: one Map in insertion order (oldest first), mutated in place. */
interface CountStorage {
  map: Map<string, HostCountEntry>;
  /** The one cache that may use the storage; earlier caches of the chain are superseded. */
  head: HostCountCache | undefined;
  /** Latest `at` recorded; a request earlier than it (a clock set back) breaks the time order. */
  newestAt: number;
  /** Insertion order is time order, so expired entries sit at the front. */
  ordered: boolean;
}

/**
 * A host's count. A linear value: recordRequest hands the storage on to the cache it returns (O(1)
 * per request instead of copying every entry), and the cache it was given is superseded — reading
 * it afterwards throws, so no caller can see a count change under it.
 */
export class HostCountCache {
  readonly version = HOST_COUNT_VERSION;
  readonly #storage: CountStorage;

  /** @internal Use emptyHostCount, parseHostCount or recordRequest. */
  constructor(
    /** 2 x the highest threshold seen; 0 before the first request. Never shrinks. */
    readonly capacity: number,
    /** Highest threshold seen. */
    readonly highestThreshold: number,
    storage: CountStorage,
  ) {
    this.#storage = storage;
    storage.head = this;
  }

  /** @internal The storage, for this module only; refuses a superseded cache. */
  storage(): CountStorage {
    if (this.#storage.head !== this) throw new VactError('INTERNAL', 'a KMS host count was used after a later request superseded it');
    return this.#storage;
  }

  /** Every entry, oldest request first (a copy: O(n), for persistence and inspection). */
  get entries(): HostCountEntry[] {
    return [...this.storage().map.values()];
  }

  /** The persisted form. */
  toJSON(): HostCountDocument {
    return { version: HOST_COUNT_VERSION, capacity: this.capacity, highestThreshold: this.highestThreshold, entries: this.entries };
  }
}

function cacheOf(capacity: number, highestThreshold: number, entries: Iterable<HostCountEntry>): HostCountCache {
  const map = new Map<string, HostCountEntry>();
  let newestAt = -Infinity;
  let ordered = true;
  for (const e of entries) {
    map.delete(e.cmid);
    map.set(e.cmid, e);
    if (e.at < newestAt) ordered = false;
    newestAt = Math.max(newestAt, e.at);
  }
  return new HostCountCache(capacity, highestThreshold, { map, head: undefined, newestAt, ordered });
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
  /** CMIDs that left the cache in this request (expired or evicted), for registers kept beside it. */
  dropped: string[];
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
  return cacheOf(0, 0, []);
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
  const st = cache.storage();
  const highestThreshold = Math.max(cache.highestThreshold, req.threshold);
  const capacity = Math.max(cache.capacity, 2 * highestThreshold);
  const dropped: string[] = [];
  const map = st.map;
  if (st.ordered) {
    // Oldest first: the expired entries are a prefix, so this is O(1) amortized.
    for (const [cmid, e] of map) {
      if (isLive(e, req.now, life)) break;
      map.delete(cmid);
      dropped.push(cmid);
    }
  } else {
    // A clock set back left entries out of time order: look at every one, as the order may be restored.
    let ordered = true;
    let prev = -Infinity;
    for (const [cmid, e] of map) {
      if (!isLive(e, req.now, life)) {
        map.delete(cmid);
        dropped.push(cmid);
        continue;
      }
      if (e.at < prev) ordered = false;
      prev = e.at;
    }
    st.ordered = ordered;
    st.newestAt = prev;
  }
  // A renewal removes the old entry and adds a fresh one.
  map.delete(req.cmid);
  if (map.size > 0 && req.now < st.newestAt) st.ordered = false;
  st.newestAt = Math.max(map.size > 0 ? st.newestAt : -Infinity, req.now);
  map.set(req.cmid, req.edition !== undefined ? { cmid: req.cmid, kind: req.kind, edition: req.edition, at: req.now } : { cmid: req.cmid, kind: req.kind, at: req.now });
  while (map.size > capacity) {
    const oldest = map.keys().next().value as string;
    map.delete(oldest);
    dropped.push(oldest);
  }
  const count = map.size;
  return { cache: new HostCountCache(capacity, highestThreshold, st), dropped, count, activated: count >= req.threshold };
}

function liveOf(cache: HostCountCache, now: number, life: number): HostCountEntry[] {
  return [...cache.storage().map.values()].filter((e) => isLive(e, now, life));
}

/** The count at `now` without recording anything (for `vact host status`). */
export function currentCount(cache: HostCountCache, now: number, opts?: HostCountOptions): number {
  const life = lifetimeMs(opts);
  const st = cache.storage();
  if (!st.ordered) return Math.min(cache.capacity, liveOf(cache, now, life).length);
  // Expired entries are a prefix: count them from the front.
  let expired = 0;
  for (const e of st.map.values()) {
    if (isLive(e, now, life)) break;
    expired++;
  }
  return Math.min(cache.capacity, st.map.size - expired);
}

/** The live entries at `now`, newest first (for `vact host clients`). */
export function liveEntries(cache: HostCountCache, now: number, opts?: HostCountOptions): HostCountEntry[] {
  const life = lifetimeMs(opts);
  return liveOf(cache, now, life).reverse();
}

/** A copy without the expired entries (O(n); the given cache stays usable; counting prunes anyway). */
export function pruneHostCount(cache: HostCountCache, now: number, opts?: HostCountOptions): HostCountCache {
  const life = lifetimeMs(opts);
  return cacheOf(cache.capacity, cache.highestThreshold, liveOf(cache, now, life));
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
  return cacheOf(capacity as number, highest as number, entries);
}
