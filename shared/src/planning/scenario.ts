// A rehearsal scenario: KMS hosts (with outages and DNS priority/weight) and groups of machines
// (joining over time, cloned with or without a new CMID, offline for a while). The format is
// documented in docs/planning.md; checking reports every bad field by its path.
import { z } from 'zod';
import type { Catalogue } from '../catalogue/types';

/** Upper bounds that keep a typo from asking for an endless simulation. */
export const MAX_SIM_DAYS = 3650;
export const MAX_SIM_MACHINES = 10_000_000;

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, . _ - (up to 64)');
const day = z.number().int().min(0).max(MAX_SIM_DAYS);
const days = z.number().int().min(1).max(MAX_SIM_DAYS);
const period = z.strictObject({ day, days });

const hostSchema = z.strictObject({
  name,
  /** DNS SRV priority: lower is preferred (RFC 2782). */
  priority: z.number().int().min(0).max(65535).default(0),
  /** DNS SRV weight among hosts of one priority. */
  weight: z.number().int().min(0).max(65535).default(100),
  outages: z.array(period).default([]),
});

const groupSchema = z.strictObject({
  name,
  count: z.number().int().min(1).max(MAX_SIM_MACHINES),
  edition: z.string(),
  /** KMS (default): KMS client setup key, a KMS host; MAK: activates with the authority; none: never activated. */
  method: z.enum(['KMS', 'MAK', 'none']).default('KMS'),
  joinDay: day.default(0),
  /** Spread the joins evenly over this many days (0: all on joinDay). */
  joinOverDays: z.number().int().min(0).max(MAX_SIM_DAYS).default(0),
  /** Always use this host (like `vact kms set`); default: DNS SRV with failover. */
  host: name.optional(),
  /** The hosts this group finds in DNS (its zone's SRV records); default: every host. */
  dns: z.array(name).optional(),
  offline: z.array(z.strictObject({ day, days, count: z.number().int().min(1).optional() })).default([]),
  clones: z.array(z.strictObject({ day, count: z.number().int().min(1).max(MAX_SIM_MACHINES), regenerateCmid: z.boolean() })).default([]),
  /** method none: rearm every N days (up to the rearm limit) and reinstall every M days. */
  rearmEveryDays: days.optional(),
  rebuildEveryDays: days.optional(),
});

const scenarioSchema = z.strictObject({
  name: z.string().max(200).optional(),
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+Z)?$/, 'must be a UTC date, e.g. 2026-01-01').default('2026-01-01'),
  days: days.default(365),
  hosts: z.array(hostSchema).default([]),
  groups: z.array(groupSchema).min(1),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioHost = Scenario['hosts'][number];
export type ScenarioGroup = Scenario['groups'][number];

/** One bad field of a scenario: its path (e.g. groups[1].count) and why. */
export interface ScenarioProblem { path: string; reason: string }

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(scenario)';
}

/** Checks a parsed scenario; every problem found, or the scenario with defaults filled in. */
export function parseScenario(json: unknown, c: Catalogue): { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] } {
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ path: pathText(i.path), reason: i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message })) };
  const s = parsed.data;
  const problems: ScenarioProblem[] = [];
  if (Number.isNaN(Date.parse(s.start))) problems.push({ path: 'start', reason: `${s.start} is not a date` });
  const hosts = new Set<string>();
  s.hosts.forEach((h, i) => {
    if (hosts.has(h.name)) problems.push({ path: `hosts[${i}].name`, reason: `duplicate host "${h.name}"` });
    hosts.add(h.name);
  });
  const groups = new Set<string>();
  let total = 0;
  s.groups.forEach((g, i) => {
    if (groups.has(g.name)) problems.push({ path: `groups[${i}].name`, reason: `duplicate group "${g.name}"` });
    groups.add(g.name);
    if (!c.editions.some((e) => e.id === g.edition)) problems.push({ path: `groups[${i}].edition`, reason: `"${g.edition}" is not an edition of the catalogue` });
    if (g.host !== undefined && !hosts.has(g.host)) problems.push({ path: `groups[${i}].host`, reason: `no host "${g.host}" in hosts` });
    (g.dns ?? []).forEach((h, j) => {
      if (!hosts.has(h)) problems.push({ path: `groups[${i}].dns[${j}]`, reason: `no host "${h}" in hosts` });
    });
    if (g.method === 'KMS' && s.hosts.length === 0) problems.push({ path: `groups[${i}].method`, reason: 'KMS machines need at least one host in hosts' });
    g.offline.forEach((o, j) => {
      if ((o.count ?? g.count) > g.count) problems.push({ path: `groups[${i}].offline[${j}].count`, reason: `more than the group's ${g.count} machines` });
    });
    total += g.count + g.clones.reduce((n, x) => n + x.count, 0);
  });
  if (total > MAX_SIM_MACHINES) problems.push({ path: 'groups', reason: `${total} machines is more than ${MAX_SIM_MACHINES}` });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, scenario: s };
}
