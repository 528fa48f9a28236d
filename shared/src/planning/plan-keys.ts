// Tables 3-5 of the planning guide: the KMS host key for each zone's hosts (the least
// inclusive group that covers the editions using them), where that key may be installed,
// and the MAK groups the plan needs.
import { editionsActivatedBy, findEdition, findGroup, groupsActivatedBy, groupsByRank, leastHostKeyFor } from '../catalogue/catalogue';
import type { Catalogue } from '../catalogue/types';
import type { MakMode, PlanKey, PlanRow, PlanWarning, PlanZone } from './plan-types';

const sum = (rows: { count: number }[]): number => rows.reduce((n, r) => n + r.count, 0);

/** The KMS rows grouped by the zone whose hosts they use, in first-seen order. */
export function byHostZone(rows: PlanRow[]): Map<string, PlanRow[]> {
  const out = new Map<string, PlanRow[]>();
  for (const r of rows) {
    if (!r.kmsHostZone) continue;
    const list = out.get(r.kmsHostZone);
    if (list) list.push(r);
    else out.set(r.kmsHostZone, [r]);
  }
  return out;
}

/** The keys of a plan, the host key group per hosting zone, and the warnings about them. */
export function planKeys(rows: PlanRow[], zones: PlanZone[], c: Catalogue): { keys: PlanKey[]; hostGroups: Map<string, string>; warnings: PlanWarning[] } {
  const keys: PlanKey[] = [];
  const warnings: PlanWarning[] = [];
  const hostGroups = new Map<string, string>();
  const byZone = byHostZone(rows);
  for (const z of zones.filter((x) => x.localKmsHosts > 0)) {
    const users = byZone.get(z.zone) ?? [];
    const editions = [...new Set(users.map((r) => r.edition))];
    const group = leastHostKeyFor(c, editions) ?? groupsByRank(c)[c.groups.length - 1].id;
    hostGroups.set(z.zone, group);
    const clientHost = findGroup(c, group).hostEditions.some((e) => findEdition(c, e).kind === 'client');
    keys.push({
      type: 'kms-host', group, zone: z.zone, machines: z.kmsServed, hosts: z.localKmsHosts,
      activates: groupsActivatedBy(c, group).map((g) => g.id), installableOn: clientHost ? 'client or server editions' : 'server editions only',
    });
    if (!clientHost) {
      warnings.push({
        kind: 'server-host', zone: z.zone, rows: users.filter((r) => r.kind === 'server').map((r) => r.name),
        message: `zone ${z.zone}: the host key ${findGroup(c, group).name} (${group}) covers ${editions.join(', ')} and must be installed on a host running a server edition (a client-edition host holds only a ${findGroup(c, groupsByRank(c)[0].id).name} key)`,
      });
    }
    const covered = editionsActivatedBy(c, group).map((e) => e.id);
    if (!editions.every((e) => covered.includes(e))) throw new Error(`internal: host key ${group} does not cover ${editions.join(', ')}`);
  }
  const perGroup = new Map<string, number>();
  for (const k of keys) perGroup.set(k.group, (perGroup.get(k.group) ?? 0) + (k.hosts ?? 0));
  for (const [group, hosts] of perGroup) {
    if (hosts > c.rules.kmsHostKeyMaxHosts) {
      warnings.push({ kind: 'host-key-limit', zone: null, rows: [], message: `${hosts} hosts hold a ${group} host key: one key installs on at most ${c.rules.kmsHostKeyMaxHosts} hosts, so ${Math.ceil(hosts / c.rules.kmsHostKeyMaxHosts)} keys of that group are needed` });
    }
  }
  const makRows = rows.filter((r) => r.method === 'MAK');
  for (const g of groupsByRank(c)) {
    const users = makRows.filter((r) => findEdition(c, r.edition).group === g.id);
    if (users.length === 0) continue;
    const modes = [...new Set(users.map((r) => r.makMode).filter((m): m is MakMode => m !== null))].sort();
    keys.push({ type: 'mak', group: g.id, zone: null, machines: sum(users), zones: [...new Set(users.map((r) => r.zone))], modes });
  }
  return { keys, hostGroups, warnings };
}
