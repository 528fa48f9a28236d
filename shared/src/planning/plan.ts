// The volume activation plan: every inventory row mapped to KMS, MAK or no activation by the
// planning guide's rules (Table 2 worksheet, Table 1 host counts, Tables 3-5 keys); the rule
// behind each step is explained in docs/planning.md.
import { findEdition } from '../catalogue/catalogue';
import type { Catalogue } from '../catalogue/types';
import { CORE_ZONE, type InventoryRow } from './inventory';
import { byHostZone, planKeys } from './plan-keys';
import type { MakMode, Plan, PlanRow, PlanTotals, PlanWarning, PlanZone } from './plan-types';
import { kmsHostsFor, zoneSize } from './host-sizing';

export * from './plan-types';

/** Days a machine may go without activation: the grace period plus every rearm (30 x (1 + 3) = 120). */
export function unactivatedDays(c: Catalogue): number {
  return c.rules.graceDays * (1 + c.rules.rearmLimit);
}

/** The zone whose KMS host a row would use: the core's when it is in the core or reaches it on 1688, else its own. */
export function candidateHostZone(row: InventoryRow): string {
  return row.zone === CORE_ZONE || row.reachesCoreKms ? CORE_ZONE : row.zone;
}

/** Can the row's machines renew with a KMS host before their 180-day validity runs out? */
export function renewsInTime(row: InventoryRow, c: Catalogue): boolean {
  return row.connectsEveryDays !== null && row.connectsEveryDays <= c.rules.kmsValidityDays;
}

const sum = (rows: { count: number }[]): number => rows.reduce((n, r) => n + r.count, 0);

/**
 * The rows of one host's pool that reach their threshold: clients and servers share one count,
 * and a row whose threshold the pool misses leaves it (it goes MAK), which may lower the count
 * for the others; repeated until stable.
 */
export function kmsPool(rows: InventoryRow[], c: Catalogue): { kept: InventoryRow[]; dropped: InventoryRow[]; count: number } {
  let kept = rows;
  for (;;) {
    const count = sum(kept);
    const next = kept.filter((r) => findEdition(c, r.edition).threshold <= count);
    if (next.length === kept.length) {
      const keptSet = new Set(kept);
      return { kept, dropped: rows.filter((r) => !keptSet.has(r)), count };
    }
    kept = next;
  }
}

function makMode(row: InventoryRow): MakMode {
  return row.internet ? 'independent' : 'proxy-or-phone';
}

function makReason(row: InventoryRow, why: string): string {
  return `${why}; MAK ${row.internet ? 'independent (the machines reach the authority over the internet)' : 'by proxy or phone (no internet: a MAK proxy or offline installation/confirmation IDs)'}`;
}

/** Builds the plan for checked inventory rows (the totals' `remaining` is 0 by construction and checked). */
export function computePlan(inventory: InventoryRow[], c: Catalogue): Plan {
  const planned = new Map<InventoryRow, PlanRow>();
  const warnings: PlanWarning[] = [];
  const base = (r: InventoryRow): Omit<PlanRow, 'method' | 'kmsHostZone' | 'makMode' | 'reason'> => {
    const e = findEdition(c, r.edition);
    return { line: r.line, name: r.name, count: r.count, edition: r.edition, kind: e.kind, zone: r.zone };
  };
  const mak = (r: InventoryRow, why: string): void => void planned.set(r, { ...base(r), method: 'MAK', kmsHostZone: null, makMode: makMode(r), reason: makReason(r, why) });
  const days = unactivatedDays(c);
  const pools = new Map<string, InventoryRow[]>();
  const late: InventoryRow[] = [];
  for (const r of inventory) {
    if (!r.needsActivation) {
      planned.set(r, { ...base(r), method: 'none', kmsHostZone: null, makMode: null, reason: `rebuilt within ${days} days: ${c.rules.graceDays}-day grace plus ${c.rules.rearmLimit} rearms cover it` });
    } else if (!renewsInTime(r, c)) {
      late.push(r);
      mak(r, `connects ${r.connectsEveryDays === null ? 'never' : `every ${r.connectsEveryDays} days`}, beyond the ${c.rules.kmsValidityDays}-day KMS validity`);
    } else {
      const hz = candidateHostZone(r);
      const pool = pools.get(hz);
      if (pool) pool.push(r);
      else pools.set(hz, [r]);
    }
  }
  if (late.length > 0) {
    warnings.push({
      kind: 'beyond-validity', zone: null, rows: late.map((r) => r.name),
      message: `${sum(late)} machine(s) will not reach a KMS host every ${c.rules.kmsValidityDays} days (${late.map((r) => `${r.name}: ${r.connectsEveryDays === null ? 'never' : `every ${r.connectsEveryDays} days`}`).join(', ')}): planned as MAK`,
    });
  }
  for (const [hz, rows] of pools) {
    const { kept, dropped, count } = kmsPool(rows, c);
    const where = hz === CORE_ZONE ? 'the core network' : `zone ${hz}`;
    for (const r of kept) {
      const via = r.zone === hz ? 'a local KMS host' : `the core KMS hosts over TCP 1688 (WAN/VPN)`;
      planned.set(r, { ...base(r), method: 'KMS', kmsHostZone: hz, makMode: null, reason: `${via}: ${count} machines use the host(s) of ${where}, threshold ${findEdition(c, r.edition).threshold} met` });
    }
    const total = sum(rows);
    for (const r of dropped) mak(r, `only ${total} machine(s) would use a KMS host of ${where}, below the ${findEdition(c, r.edition).kind} threshold of ${findEdition(c, r.edition).threshold}`);
    if (dropped.length > 0) {
      warnings.push({
        kind: 'below-threshold', zone: hz, rows: dropped.map((r) => r.name),
        message: `${where}: ${total} machine(s) would use a KMS host, below the threshold of ${[...new Set(dropped.map((r) => findEdition(c, r.edition).threshold))].join('/')} for ${dropped.map((r) => r.name).join(', ')}: planned as MAK`,
      });
    }
  }
  const rows = inventory.map((r) => planned.get(r)!);
  const totals = worksheet(rows);
  if (totals.remaining !== 0) throw new Error(`internal: the worksheet leaves ${totals.remaining} machines without a method`);
  const zones = planZones(inventory, rows);
  const keyPlan = planKeys(rows, zones, c);
  for (const z of zones) z.hostKeyGroup = keyPlan.hostGroups.get(z.zone) ?? null;
  warnings.push(...cmidCacheWarnings(inventory, rows, c), ...keyPlan.warnings);
  return { rows, totals, zones, keys: keyPlan.keys, warnings };
}

/** Table 2: machines per method, the total, and what remains without a method (must be 0). */
export function worksheet(rows: PlanRow[]): PlanTotals {
  const by = (m: string): number => sum(rows.filter((r) => r.method === m));
  const total = sum(rows);
  const t = { KMS: by('KMS'), MAK: by('MAK'), none: by('none'), total, remaining: 0 };
  t.remaining = total - t.KMS - t.MAK - t.none;
  return t;
}

function planZones(inventory: InventoryRow[], rows: PlanRow[]): PlanZone[] {
  const machines = new Map<string, number>();
  const served = new Map<string, number>();
  for (const r of inventory) machines.set(r.zone, (machines.get(r.zone) ?? 0) + r.count);
  for (const r of rows) if (r.kmsHostZone) served.set(r.kmsHostZone, (served.get(r.kmsHostZone) ?? 0) + r.count);
  const names = [...new Set([...machines.keys(), ...served.keys()])];
  names.sort((a, b) => (a === CORE_ZONE ? -1 : b === CORE_ZONE ? 1 : a.localeCompare(b)));
  return names.map((zone) => {
    const n = served.get(zone) ?? 0;
    return { zone, machines: machines.get(zone) ?? 0, kmsServed: n, localKmsHosts: kmsHostsFor(n), size: n > 0 ? zoneSize(n) : null, hostKeyGroup: null };
  });
}

/**
 * Small KMS pools with VMs: the CMID cache holds only 2 x the threshold, rebuilt or cloned VMs
 * take fresh CMIDs while stale ones keep counting for 30 days, and clones that kept their
 * CMID count once — the count can sit on the threshold.
 */
function cmidCacheWarnings(inventory: InventoryRow[], rows: PlanRow[], c: Catalogue): PlanWarning[] {
  const out: PlanWarning[] = [];
  const vm = new Set(inventory.filter((i) => i.vm).map((i) => i.line));
  for (const [hz, users] of byHostZone(rows)) {
    const vms = users.filter((r) => vm.has(r.line));
    const cache = 2 * Math.max(...users.map((r) => findEdition(c, r.edition).threshold));
    const served = sum(users);
    if (vms.length === 0 || served >= cache) continue;
    out.push({
      kind: 'cmid-cache', zone: hz, rows: vms.map((r) => r.name),
      message: `${hz === CORE_ZONE ? 'the core network' : `zone ${hz}`}: ${served} machines on a CMID cache of ${cache}, with VMs (${vms.map((r) => r.name).join(', ')}): rebuilt VMs take fresh CMIDs, clones must regenerate theirs, and stale entries count for ${c.rules.cmidCacheLifetimeDays} days — watch \`vact host clients\``,
    });
  }
  return out;
}

