// RFC 2782 target selection for _vlmcs._tcp SRV records (DESIGN §3): lowest priority first; within
// a priority, weighted random order. Pure, with the random source injected so tests are exact.

export interface SrvRecord { name: string; port: number; priority: number; weight: number }

/** A source of numbers in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * Orders SRV records the way a client should try them. Within one priority, RFC 2782's
 * running-sum selection repeats until the group is empty; zero-weight records come first in the
 * list (as the RFC says) so they are chosen only when nothing else is left, or by chance at r = 0.
 * A lone "." target means "no service here" and yields no targets. DNS returns records in varying
 * order; sorting by name first makes the choice a function of the random source alone.
 */
export function orderSrv(records: readonly SrvRecord[], random: RandomSource = Math.random): SrvRecord[] {
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const p of priorities) {
    const group = usable.filter((r) => r.priority === p).sort(byZeroWeightThenName);
    while (group.length > 0) {
      const total = group.reduce((s, r) => s + r.weight, 0);
      // r uniform in [0, total]; the first record whose running sum reaches r is picked.
      const r = Math.min(total, Math.floor(random() * (total + 1)));
      let sum = 0;
      let i = 0;
      for (; i < group.length; i++) {
        sum += group[i].weight;
        if (sum >= r) break;
      }
      out.push(group.splice(Math.min(i, group.length - 1), 1)[0]);
    }
  }
  return out;
}

function byZeroWeightThenName(a: SrvRecord, b: SrvRecord): number {
  const z = (a.weight === 0 ? 0 : 1) - (b.weight === 0 ? 0 : 1);
  return z !== 0 ? z : a.name < b.name ? -1 : a.name > b.name ? 1 : a.port - b.port;
}
