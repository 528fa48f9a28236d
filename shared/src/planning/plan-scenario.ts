// `vact plan --simulate`: the plan as a rehearsal scenario. Each zone's planned KMS hosts are
// hosts whose DNS records only that zone's users see; rows become groups (KMS, MAK, or a lab
// rearmed and rebuilt), and machines that connect every N days are offline in between.
import type { Catalogue } from '../catalogue/types';
import type { Plan } from './plan-types';
import type { InventoryRow } from './inventory';
import { parseScenario, type Scenario } from './scenario';

/** Connecting at least this often is treated as always connected (a renewal is weekly). */
const ALWAYS_CONNECTED_DAYS = 7;

/** The hosts of a zone, as named in the scenario. */
export function zoneHostNames(zone: string, hosts: number): string[] {
  return Array.from({ length: hosts }, (_, i) => `${zone}-kms${i + 1}`);
}

/** The scenario that rehearses a plan for `days`. */
export function scenarioFromPlan(plan: Plan, inventory: InventoryRow[], c: Catalogue, days = 365): Scenario {
  const hosts = plan.zones.flatMap((z) => zoneHostNames(z.zone, z.localKmsHosts).map((name) => ({ name, priority: 0, weight: 100 })));
  const byLine = new Map(inventory.map((i) => [i.line, i]));
  const hostsOf = new Map(plan.zones.map((z) => [z.zone, z.localKmsHosts]));
  const groups = plan.rows.map((r) => {
    const inv = byLine.get(r.line)!;
    const g: Record<string, unknown> = { name: r.name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]/, 'g').slice(0, 64), count: r.count, edition: r.edition, method: r.method };
    if (r.method === 'KMS') {
      g.dns = zoneHostNames(r.kmsHostZone!, hostsOf.get(r.kmsHostZone!) ?? 0);
      const every = inv.connectsEveryDays ?? 0;
      if (every > ALWAYS_CONNECTED_DAYS) {
        const offline = [];
        for (let d = 1; d < days; d += every) offline.push({ day: d, days: every - 1 });
        g.offline = offline;
      }
    }
    if (r.method === 'none') {
      g.rearmEveryDays = c.rules.graceDays - 1;
      g.rebuildEveryDays = (c.rules.graceDays - 1) * (c.rules.rearmLimit + 1);
    }
    return g;
  });
  const parsed = parseScenario({ name: 'plan rehearsal', days, hosts, groups }, c);
  if (!parsed.ok) throw new Error(`internal: the plan's scenario is not valid: ${JSON.stringify(parsed.problems)}`);
  return parsed.scenario;
}
