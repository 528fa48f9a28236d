#!/usr/bin/env node
// Rehearsal scale: N simulated machines (default 100,000) over D days (default 365) against
// four KMS hosts (two sites, DNS priorities, outages), with joins over time, clones with and
// without CMID regeneration, offline laptops, MAK machines and a rebuilt test lab.
// Prints one line: machines, days, wall time, lifecycle steps, cohorts, peak RSS.
// Goal: 100,000 machines x 365 days in under 30 s and under 1 GB on 2 cores. Build first: npx tsc -b.
'use strict';
const { referenceCatalogue, parseScenario, simulate } = require('../shared/dist/index.js');

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const machines = arg('machines', 100_000);
const days = arg('days', 365);
const groupsN = arg('groups', 100);
const per = Math.floor(machines / groupsN);
const editions = ['client-enterprise', 'client-professional', 'server-standard', 'server-datacenter'];
const groups = [];
for (let i = 0; i < groupsN; i++) {
  const site = i % 2 === 0 ? 'a' : 'b';
  const g = { name: `g${i}`, count: per, edition: editions[i % editions.length], joinOverDays: 30 + (i % 30), joinDay: i % 10, dns: [`${site}1`, `${site}2`] };
  if (i % 10 === 1) {
    // A tenth of the group arrives later as clones (half the groups regenerate the CMID, half do not).
    g.clones = [{ day: 60, count: Math.floor(per / 10), regenerateCmid: i % 20 === 1 }];
    g.count -= g.clones[0].count;
  }
  if (i % 10 === 2) g.offline = [{ day: 40, days: 200, count: Math.floor(per / 5) }];
  if (i % 25 === 3) g.method = 'MAK';
  if (i % 25 === 4) Object.assign(g, { method: 'none', rearmEveryDays: 29, rebuildEveryDays: 116 });
  groups.push(g);
}
// Keep the total at `machines`: the first group absorbs the rounding.
groups[0].count += machines - per * groupsN;
const c = referenceCatalogue();
const parsed = parseScenario({
  name: 'bench', days,
  hosts: [
    { name: 'a1', priority: 0, weight: 60, outages: [{ day: 100, days: 14 }] },
    { name: 'a2', priority: 0, weight: 40 },
    { name: 'b1', priority: 0, outages: [{ day: 200, days: 30 }] },
    { name: 'b2', priority: 10 },
  ],
  groups,
}, c);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const r = simulate(parsed.scenario, c);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(cpu0);
const cpuS = (cpu.user + cpu.system) / 1e6;
const peakMb = process.resourceUsage().maxRSS / 1024;
const end = r.series[r.series.length - 1].states;
console.log(`simulate: ${r.machines} machines x ${r.days} days in ${(ms / 1000).toFixed(2)} s (CPU ${cpuS.toFixed(2)} s), ${r.steps} lifecycle steps, ${r.cohorts} cohorts, peak RSS ${peakMb.toFixed(0)} MB; day ${r.days - 1}: Licensed ${end.Licensed}, grace ${end.InitialGrace + end.OutOfToleranceGrace}, Notification ${end.Notification} (goal < 30 s, < 1 GB)`);
