// Loading, validating and querying a catalogue. A catalogue is data (docs/catalogue.md);
// every rule that depends on it (thresholds, KMS hierarchy, host constraints) is asked here.
import { z } from 'zod';
import { VactError } from '../errors/error-codes';
import { decodeProductKey, MAX_KEY_GROUPS } from '../keys/product-key';
import type { Catalogue, CatalogueRules, Edition, EditionId, GroupId, ProductKeyGroup } from './types';
import referenceJson from './reference-catalogue.json';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes (e.g. "server-a")');
const text = z.string().min(1).max(200);
const count = z.number().int().positive();

const rulesSchema = z.strictObject({
  graceDays: count,
  rearmLimit: z.number().int().nonnegative(),
  kmsValidityDays: count,
  renewalIntervalMinutes: count,
  activationIntervalMinutes: count,
  minIntervalMinutes: count,
  maxIntervalMinutes: count,
  cmidCacheLifetimeDays: count,
  kmsHostKeyMaxHosts: count,
  kmsHostKeyMaxActivationsPerHost: count,
  clockSkewMinutes: count,
}) satisfies z.ZodType<CatalogueRules>;

const catalogueSchema = z.strictObject({
  version: z.literal(1),
  name: text,
  products: z.array(z.strictObject({ id, name: text, description: text.optional() })).min(1),
  groups: z
    .array(
      z.strictObject({
        id,
        name: text,
        rank: z.number().int().nonnegative(),
        hostEditions: z.array(id),
        description: text.optional(),
      }),
    )
    .min(1)
    .max(MAX_KEY_GROUPS),
  editions: z
    .array(
      z.strictObject({
        id,
        name: text,
        product: id,
        group: id,
        kind: z.enum(['client', 'server']),
        generation: z.enum(['current', 'previous']),
        threshold: count,
        kmsClientSetupKey: z.string().min(1).max(64),
        description: text.optional(),
      }),
    )
    .min(1),
  rules: rulesSchema,
}) satisfies z.ZodType<Catalogue>;

type Path = readonly PropertyKey[];

function pathText(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(catalogue)';
}

function invalid(path: Path, message: string): VactError {
  const field = pathText(path);
  return new VactError('INVALID_CATALOGUE', `${field}: ${message}`, { field });
}

function zodIssueError(issue: z.core.$ZodIssue): VactError {
  if (issue.code === 'unrecognized_keys') return invalid([...issue.path, issue.keys[0]], 'unknown field');
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
    return invalid(issue.path, `missing (expected ${issue.expected})`);
  }
  return invalid(issue.path, issue.message);
}

/** Validates a parsed catalogue file; throws VactError('INVALID_CATALOGUE', '<field path>: <what is wrong>'). */
export function parseCatalogue(json: unknown): Catalogue {
  const parsed = catalogueSchema.safeParse(json);
  if (!parsed.success) throw zodIssueError(parsed.error.issues[0]);
  const c = parsed.data;
  crossCheck(c);
  return c;
}

function unique<T>(items: readonly T[], key: (t: T) => string, field: (i: number) => Path, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) throw invalid(field(i), `duplicate ${what} "${k}" (also at index ${first})`);
    seen.set(k, i);
  });
}

/** The checks a schema cannot express: references between fields, uniqueness, the setup keys. */
function crossCheck(c: Catalogue): void {
  unique(c.products, (p) => p.id, (i) => ['products', i, 'id'], 'product id');
  unique(c.groups, (g) => g.id, (i) => ['groups', i, 'id'], 'group id');
  unique(c.groups, (g) => String(g.rank), (i) => ['groups', i, 'rank'], 'rank');
  unique(c.editions, (e) => e.id, (i) => ['editions', i, 'id'], 'edition id');
  const products = new Set(c.products.map((p) => p.id));
  const groups = new Set(c.groups.map((g) => g.id));
  const editions = new Set(c.editions.map((e) => e.id));
  c.editions.forEach((e, i) => {
    if (!products.has(e.product)) throw invalid(['editions', i, 'product'], `unknown product "${e.product}"`);
    if (!groups.has(e.group)) throw invalid(['editions', i, 'group'], `unknown group "${e.group}"`);
    let key;
    try {
      key = decodeProductKey(e.kmsClientSetupKey, c);
    } catch (err) {
      throw invalid(['editions', i, 'kmsClientSetupKey'], err instanceof Error ? err.message : String(err));
    }
    if (key.type !== 'kms-client') throw invalid(['editions', i, 'kmsClientSetupKey'], `is a ${key.type} key, not a KMS client setup key`);
    if (key.group !== e.group) throw invalid(['editions', i, 'kmsClientSetupKey'], `is a key of group "${key.group}", not of the edition's group "${e.group}"`);
    // Store the canonical form so lookups by key compare like with like.
    e.kmsClientSetupKey = key.key;
  });
  unique(c.editions, (e) => e.kmsClientSetupKey, (i) => ['editions', i, 'kmsClientSetupKey'], 'KMS client setup key');
  c.groups.forEach((g, i) => {
    g.hostEditions.forEach((h, j) => {
      if (!editions.has(h)) throw invalid(['groups', i, 'hostEditions', j], `unknown edition "${h}"`);
    });
    unique(g.hostEditions, (h) => h, (j) => ['groups', i, 'hostEditions', j], 'edition');
  });
  const r = c.rules;
  for (const name of ['renewalIntervalMinutes', 'activationIntervalMinutes'] as const) {
    if (r[name] < r.minIntervalMinutes || r[name] > r.maxIntervalMinutes) {
      throw invalid(['rules', name], `${r[name]} is outside minIntervalMinutes … maxIntervalMinutes (${r.minIntervalMinutes} … ${r.maxIntervalMinutes})`);
    }
  }
}

let reference: Catalogue | undefined;

/** The bundled reference catalogue (the planning guide's Tables 3–5); a fresh copy each call, so callers may modify it. */
export function referenceCatalogue(): Catalogue {
  reference ??= parseCatalogue(referenceJson);
  return structuredClone(reference);
}

/** The edition with this id; throws VactError('UNKNOWN_EDITION'). */
export function findEdition(c: Catalogue, id: EditionId): Edition {
  const e = c.editions.find((x) => x.id === id);
  if (!e) throw new VactError('UNKNOWN_EDITION', `"${id}" (known: ${c.editions.map((x) => x.id).join(', ')})`, { edition: id });
  return e;
}

/** The product-key group with this id; throws VactError('UNKNOWN_GROUP'). */
export function findGroup(c: Catalogue, id: GroupId): ProductKeyGroup {
  const g = c.groups.find((x) => x.id === id);
  if (!g) throw new VactError('UNKNOWN_GROUP', `"${id}" (known: ${c.groups.map((x) => x.id).join(', ')})`, { group: id });
  return g;
}

/** The group ids in catalogue (key) order, as product keys need them. */
export function catalogueGroupIds(c: Catalogue): string[] {
  return c.groups.map((g) => g.id);
}

/** The groups from least to most inclusive (ascending rank). */
export function groupsByRank(c: Catalogue): ProductKeyGroup[] {
  return [...c.groups].sort((a, b) => a.rank - b.rank);
}

/** The edition whose public KMS client setup key this is (any case, dashes optional), or undefined. */
export function findEditionBySetupKey(c: Catalogue, key: string): Edition | undefined {
  let canonical: string;
  try {
    canonical = decodeProductKey(key, c).key;
  } catch {
    return undefined;
  }
  return c.editions.find((e) => e.kmsClientSetupKey === canonical);
}

/** Can a KMS host key of group `hostGroup` activate `edition`? (its group and every group below it) */
export function hostKeyActivates(c: Catalogue, hostGroup: GroupId, edition: EditionId): boolean {
  return findGroup(c, findEdition(c, edition).group).rank <= findGroup(c, hostGroup).rank;
}

/** The groups a KMS host key of `hostGroup` activates, least inclusive first. */
export function groupsActivatedBy(c: Catalogue, hostGroup: GroupId): ProductKeyGroup[] {
  const rank = findGroup(c, hostGroup).rank;
  return groupsByRank(c).filter((g) => g.rank <= rank);
}

/** The editions a KMS host key of `hostGroup` activates, in catalogue order. */
export function editionsActivatedBy(c: Catalogue, hostGroup: GroupId): Edition[] {
  return c.editions.filter((e) => hostKeyActivates(c, hostGroup, e.id));
}

/** May a KMS host key of `hostGroup` be installed on a host running `hostEdition`? */
export function hostKeyInstallableOn(c: Catalogue, hostGroup: GroupId, hostEdition: EditionId): boolean {
  findEdition(c, hostEdition);
  return findGroup(c, hostGroup).hostEditions.includes(hostEdition);
}

/**
 * The least inclusive single KMS host key group that activates every edition in `editions`
 * (and, with `hostEdition`, may be installed on that host); undefined for an empty list or when none fits.
 */
export function leastHostKeyFor(c: Catalogue, editions: EditionId[], options: { hostEdition?: EditionId } = {}): GroupId | undefined {
  if (editions.length === 0) return undefined;
  const needed = Math.max(...editions.map((e) => findGroup(c, findEdition(c, e).group).rank));
  const hostEdition = options.hostEdition;
  if (hostEdition !== undefined) findEdition(c, hostEdition);
  return groupsByRank(c).find((g) => g.rank >= needed && (hostEdition === undefined || g.hostEditions.includes(hostEdition)))?.id;
}

/** The KMS activation threshold that applies to a request from `edition`. */
export function thresholdFor(c: Catalogue, edition: EditionId): number {
  return findEdition(c, edition).threshold;
}

/** The parts of a decoded product key that decide where it applies. */
export interface KeyKind {
  type: 'kms-client' | 'kms-host' | 'mak';
  group: GroupId;
  /** Canonical key text; needed for a KMS client setup key (one per edition). */
  key?: string;
}

/**
 * Why `key` cannot apply to a machine running `edition` (the check of slmgr /ipk), or undefined
 * when it can: a MAK covers the editions of its own group, a KMS client setup key only its own
 * edition, and a KMS host key may be held only by its group's host editions.
 */
export function keyRefusal(c: Catalogue, key: KeyKind, edition: EditionId): VactError | undefined {
  const e = findEdition(c, edition);
  const group = findGroup(c, key.group);
  if (key.type === 'mak' && key.group !== e.group) {
    return new VactError('PRODUCT_NOT_COVERED_BY_KEY', `a MAK of group ${group.id} (${group.name}) does not cover ${e.id}, an edition of group ${e.group}`, { keyGroup: group.id, edition: e.id, editionGroup: e.group });
  }
  if (key.type === 'kms-client' && key.key !== undefined && key.key !== e.kmsClientSetupKey) {
    const owner = c.editions.find((x) => x.kmsClientSetupKey === key.key);
    const whose = owner ? `the KMS client setup key of ${owner.id}` : `a KMS client setup key of group ${group.id} that the catalogue lists for no edition`;
    return new VactError('PRODUCT_NOT_COVERED_BY_KEY', `${whose}, not of ${e.id} (its key ends in ${e.kmsClientSetupKey.slice(-5)})`, { edition: e.id, ...(owner ? { keyEdition: owner.id } : {}) });
  }
  if (key.type === 'kms-host' && !group.hostEditions.includes(e.id)) {
    return new VactError('HOST_KEY_NOT_ALLOWED_ON_EDITION', `a ${group.id} KMS host key may be installed only on ${group.hostEditions.join(', ') || 'no edition'}, not on ${e.id}`, { keyGroup: group.id, edition: e.id });
  }
  return undefined;
}
