// The fleet rehearsal: groups of machines against KMS hosts on a simulated clock, driven by
// the shared lifecycle (step) and the shared KMS count (recordRequest). Identical machines
// move together as cohorts, and a cohort only wakes at its lifecycle's nextWake, so a year
// of 100,000 machines is a few thousand steps; a cohort splits when its machines' fates differ.
import { findEdition } from '../catalogue/catalogue';
import type { Catalogue } from '../catalogue/types';
import { currentCount, emptyHostCount, type HostCountCache } from '../kms/host-count';
import { initialState, nextWakeOf, step } from '../lifecycle/machine';
import type { InstalledKey, LicenseStatus, LifecycleEvent, LifecycleState } from '../lifecycle/types';
import { EventQueue } from './event-queue';
import { recordBatch } from './kms-batch';
import type { Scenario, ScenarioGroup, ScenarioHost } from './scenario';

const DAY = 86_400_000;
export const LICENSE_STATES: readonly LicenseStatus[] = ['Licensed', 'InitialGrace', 'OutOfToleranceGrace', 'Notification', 'Unlicensed'];

interface Cohort {
  id: number;
  group: ScenarioGroup;
  size: number;
  /** CMID of member i is `${cmidBase}:${first + i}` (or `${cmidBase}` when shared). */
  cmidBase: string;
  first: number;
  sharedCmid: boolean;
  state: LifecycleState;
  wake: number | null;
  /** The host this cohort found and keeps using until it fails (DNS caching). */
  host: string | null;
  offlineUntil: number;
  alive: boolean;
}

interface HostSim { spec: ScenarioHost; cache: HostCountCache; requests: number }

/** One day of the series: machines by license state, each host's count, the day's activity. */
export interface SimDay {
  day: number;
  date: string;
  states: Record<LicenseStatus, number>;
  hosts: Record<string, { count: number; threshold: number; up: boolean }>;
  activations: number;
  failures: number;
  reminders: number;
}

export interface SimResult {
  name: string;
  start: string;
  days: number;
  machines: number;
  /** Cohorts at the end (a measure of how much the fleet split). */
  cohorts: number;
  steps: number;
  series: SimDay[];
}

type Job =
  | { kind: 'wake'; cohort: Cohort }
  | { kind: 'join'; group: ScenarioGroup; size: number; shared: boolean; base: string }
  | { kind: 'offline'; group: ScenarioGroup; count: number; until: number }
  | { kind: 'rearm' | 'rebuild'; group: ScenarioGroup };

/** Runs a checked scenario for `days` (default the scenario's) and returns the daily series. */
export function simulate(scenario: Scenario, c: Catalogue, options: { days?: number } = {}): SimResult {
  return new Simulation(scenario, c).run(options.days ?? scenario.days);
}

class Simulation {
  private readonly queue = new EventQueue<Job>();
  private readonly cohorts: Cohort[] = [];
  private readonly hosts = new Map<string, HostSim>();
  private readonly start: number;
  private nextId = 0;
  private steps = 0;
  private machines = 0;
  private today = { activations: 0, failures: 0, reminders: 0 };

  constructor(private readonly s: Scenario, private readonly c: Catalogue) {
    this.start = Date.parse(s.start.length === 10 ? `${s.start}T00:00:00Z` : s.start);
    for (const h of s.hosts) this.hosts.set(h.name, { spec: h, cache: emptyHostCount(), requests: 0 });
    for (const g of s.groups) this.schedule(g);
  }

  private at(day: number): number {
    return this.start + day * DAY;
  }

  private schedule(g: ScenarioGroup): void {
    const spread = Math.max(1, g.joinOverDays);
    for (let d = 0; d < spread; d++) {
      const size = Math.floor((g.count * (d + 1)) / spread) - Math.floor((g.count * d) / spread);
      if (size > 0) this.queue.push(this.at(g.joinDay + d), { kind: 'join', group: g, size, shared: false, base: `${g.name}` });
    }
    g.clones.forEach((cl, i) => this.queue.push(this.at(cl.day), { kind: 'join', group: g, size: cl.count, shared: !cl.regenerateCmid, base: `${g.name}/clone${i}` }));
    for (const o of g.offline) this.queue.push(this.at(o.day), { kind: 'offline', group: g, count: o.count ?? g.count, until: this.at(o.day + o.days) });
    if (g.rearmEveryDays) for (let d = g.joinDay + g.rearmEveryDays; d <= MAX_DAY; d += g.rearmEveryDays) this.queue.push(this.at(d), { kind: 'rearm', group: g });
    if (g.rebuildEveryDays) for (let d = g.joinDay + g.rebuildEveryDays; d <= MAX_DAY; d += g.rebuildEveryDays) this.queue.push(this.at(d), { kind: 'rebuild', group: g });
  }

  run(days: number): SimResult {
    const series: SimDay[] = [];
    for (let d = 0; d < days; d++) {
      const end = this.at(d + 1);
      while (this.queue.peekTime() < end) {
        const { t, item } = this.queue.pop()!;
        this.handle(item, t);
      }
      series.push(this.sample(d, end));
      this.today = { activations: 0, failures: 0, reminders: 0 };
    }
    const alive = this.cohorts.filter((x) => x.alive);
    return { name: this.s.name ?? 'scenario', start: new Date(this.start).toISOString(), days, machines: this.machines, cohorts: alive.length, steps: this.steps, series };
  }

  private handle(job: Job, t: number): void {
    switch (job.kind) {
      case 'wake':
        if (job.cohort.alive && job.cohort.wake === t) this.drive(job.cohort, { type: 'tick' }, t);
        return;
      case 'join':
        this.machines += job.size;
        return this.join(job.group, job.size, job.shared, job.base, t);
      case 'offline':
        return this.goOffline(job.group, job.count, job.until);
      case 'rearm':
        for (const x of this.members(job.group)) {
          if (x.state.remainingRearms > 0 && x.state.status !== 'Licensed') this.drive(x, { type: 'rearm' }, t, true);
        }
        return;
      case 'rebuild':
        for (const x of this.members(job.group)) {
          x.alive = false;
          this.join(x.group, x.size, x.sharedCmid, `${x.cmidBase}/r${t}`, t);
        }
        return;
    }
  }

  private members(g: ScenarioGroup): Cohort[] {
    return this.cohorts.filter((x) => x.alive && x.group === g);
  }

  private key(g: ScenarioGroup): InstalledKey {
    const e = findEdition(this.c, g.edition);
    if (g.method === 'MAK') return { key: `SIMULATED-MAK-${e.group}`, type: 'mak', group: e.group, partialKey: 'SIMUL' };
    return { key: e.kmsClientSetupKey, type: 'kms-client', group: e.group, partialKey: e.kmsClientSetupKey.slice(-5) };
  }

  private join(g: ScenarioGroup, size: number, shared: boolean, base: string, t: number): void {
    const cohort: Cohort = { id: this.nextId++, group: g, size, cmidBase: `${base}#${this.nextId}`, first: 0, sharedCmid: shared, state: initialState(g.edition, this.c.rules, t), wake: null, host: g.host ?? null, offlineUntil: -Infinity, alive: true };
    this.cohorts.push(cohort);
    // A lab planned without activation has no KMS host: its administrator sets the longest retry interval.
    if (g.method === 'none') this.drive(cohort, { type: 'intervals-changed', activationMinutes: this.c.rules.maxIntervalMinutes }, t);
    this.drive(cohort, { type: 'key-installed', key: this.key(g) }, t);
  }

  private goOffline(g: ScenarioGroup, count: number, until: number): void {
    let left = count;
    for (const x of this.members(g)) {
      if (left <= 0) break;
      const part = left < x.size ? this.split(x, left) : x;
      part.offlineUntil = until;
      left -= part.size;
    }
  }

  /** Splits the first `n` machines of a cohort into a new cohort (same state) and returns it. */
  private split(x: Cohort, n: number): Cohort {
    const part: Cohort = { ...x, id: this.nextId++, size: n };
    x.size -= n;
    x.first += n;
    this.cohorts.push(part);
    if (part.wake !== null) this.queue.push(part.wake, { kind: 'wake', cohort: part });
    return part;
  }

  /** One lifecycle step for the cohort, then its effects (contacts are answered at once), then its next wake. */
  private drive(x: Cohort, event: LifecycleEvent, t: number, mayRefuse = false): void {
    let r;
    try {
      r = step(x.state, event, t, this.c.rules);
    } catch (err) {
      if (mayRefuse) return;
      throw err;
    }
    this.steps++;
    x.state = r.state;
    x.wake = this.wakeOf(x, r.nextWake, t);
    for (const e of r.effects) {
      if (e.type === 'reminder') this.today.reminders += x.size;
      else if (e.type === 'regenerate-cmid') x.cmidBase = `${x.cmidBase}/g${t}`;
      else if (e.type === 'contact-authority') this.answer(x, { type: 'activation-succeeded', channel: 'MAK', validUntil: null }, t);
      else if (e.type === 'contact-kms') this.contactKms(x, t);
    }
    // A contact answered above has already stepped and queued the cohort; stale entries are skipped on waking.
    if (x.wake !== null && x.state === r.state) this.queue.push(x.wake, { kind: 'wake', cohort: x });
  }

  /**
   * Off the network, every retry fails until the machines return: skip those retries and wake
   * only for the lifecycle's other deadlines (reminders, grace end, validity end) or the return.
   */
  private wakeOf(x: Cohort, next: number | null, t: number): number | null {
    const s = x.state;
    if (next === null || t >= x.offlineUntil || s.nextAttemptAt === null || next !== s.nextAttemptAt || next >= x.offlineUntil) return next;
    return Math.min(nextWakeOf({ ...s, nextAttemptAt: null }) ?? Infinity, x.offlineUntil);
  }

  private answer(x: Cohort, event: LifecycleEvent, t: number): void {
    if (event.type === 'activation-succeeded') this.today.activations += x.size;
    else this.today.failures += x.size;
    this.drive(x, event, t);
  }

  private fail(x: Cohort, code: string, t: number, count?: number): void {
    this.answer(x, { type: 'activation-failed', code, message: code, ...(count !== undefined ? { count } : {}) }, t);
  }

  private up(h: HostSim, t: number): boolean {
    return !h.spec.outages.some((o) => t >= this.at(o.day) && t < this.at(o.day + o.days));
  }

  /** The cohort asks a KMS host: its cached one, else by DNS (priority, then weight, dropping hosts that do not answer). */
  private contactKms(x: Cohort, t: number): void {
    // A lab planned without activation has no host to ask; its failed attempts are not news.
    if (x.group.method === 'none') return this.drive(x, { type: 'activation-failed', code: 'NO_KMS_HOST', message: 'no KMS host planned' }, t);
    if (t < x.offlineUntil) return this.fail(x, 'KMS_HOST_UNREACHABLE', t);
    const cached = x.host !== null ? this.hosts.get(x.host)! : undefined;
    if (cached && this.up(cached, t)) return this.ask(x, cached, t);
    if (x.group.host !== undefined) return this.fail(x, 'KMS_HOST_UNREACHABLE', t);
    const live = [...this.hosts.values()].filter((h) => (x.group.dns === undefined || x.group.dns.includes(h.spec.name)) && this.up(h, t));
    if (live.length === 0) return this.fail(x, 'KMS_HOST_UNREACHABLE', t);
    const best = Math.min(...live.map((h) => h.spec.priority));
    const pick = live.filter((h) => h.spec.priority === best);
    // The cohort's machines pick by weight: split it in proportion (largest remainder first).
    const weights = pick.map((h) => h.spec.weight || 1);
    const total = weights.reduce((a, b) => a + b, 0);
    const shares = weights.map((w) => Math.floor((x.size * w) / total));
    let rest = x.size - shares.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % shares.length, rest--) shares[i]++;
    const parts: [Cohort, HostSim][] = [];
    pick.forEach((h, i) => {
      if (shares[i] === 0) return;
      const part = i === pick.length - 1 || shares[i] === x.size ? x : this.split(x, shares[i]);
      part.host = h.spec.name;
      parts.push([part, h]);
    });
    for (const [part, h] of parts) this.ask(part, h, t);
  }

  private ask(x: Cohort, h: HostSim, t: number): void {
    x.host = h.spec.name;
    const e = findEdition(this.c, x.group.edition);
    const base = x.cmidBase;
    const first = x.first;
    const res = recordBatch(h.cache, {
      cmid: x.sharedCmid ? () => base : (i) => `${base}:${first + i}`, size: x.size, sharedCmid: x.sharedCmid,
      threshold: e.threshold, kind: e.kind, edition: e.id, now: t,
    }, { lifetimeDays: this.c.rules.cmidCacheLifetimeDays });
    h.cache = res.cache;
    h.requests += x.size;
    const ok = res.firstActivated < x.size ? (res.firstActivated > 0 ? this.rest(x, res.firstActivated) : x) : null;
    const failed = res.firstActivated > 0 ? x : null;
    if (ok) this.answer(ok, { type: 'activation-succeeded', channel: 'KMS', validUntil: null, count: res.activatedCount }, t);
    if (failed) this.fail(failed, 'KMS_COUNT_TOO_LOW', t, res.failedCount);
  }

  /** Splits off the machines from index `from` to the end as a new cohort. */
  private rest(x: Cohort, from: number): Cohort {
    const part: Cohort = { ...x, id: this.nextId++, size: x.size - from, first: x.first + from };
    x.size = from;
    this.cohorts.push(part);
    return part;
  }

  private sample(day: number, t: number): SimDay {
    const states = Object.fromEntries(LICENSE_STATES.map((s) => [s, 0])) as Record<LicenseStatus, number>;
    for (const x of this.cohorts) if (x.alive) states[x.state.status] += x.size;
    const hosts: SimDay['hosts'] = {};
    for (const [name, h] of this.hosts) hosts[name] = { count: currentCount(h.cache, t, { lifetimeDays: this.c.rules.cmidCacheLifetimeDays }), threshold: h.cache.highestThreshold, up: this.up(h, t) };
    return { day, date: new Date(t - 1).toISOString().slice(0, 10), states, hosts, ...this.today };
  }
}

const MAX_DAY = 3650;
