// `vact simulate SCENARIO`: rehearse a fleet against KMS hosts on a simulated clock, in process,
// with the lifecycle and KMS count the agent uses; a day-by-day summary, --json series, --svg chart.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LICENSE_STATES, MAX_SIM_DAYS, parseScenario, simulate, type Catalogue, type Scenario, type SimResult } from '@vact/shared';
import { InputError, parseStructured, readText } from './input-file';
import { catalogueOption, failInput } from './plan-command';
import { table } from './plan-text';
import { simulationSvg } from './sim-chart';

/** Reads and checks a scenario file (JSON, or YAML for .yaml/.yml); throws InputError naming every bad field. */
export function readScenario(file: string, c: Catalogue): Scenario {
  const res = parseScenario(parseStructured(file, readText(file)), c);
  if (!res.ok) throw new InputError(file, res.problems.map((p) => ({ line: 0, column: p.path, reason: p.reason })));
  return res.scenario;
}

/** Parses --days (1 … 3650); throws InputError. */
export function daysOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIM_DAYS) throw new InputError('--days', [{ line: 0, column: 'days', reason: `must be a whole number from 1 to ${MAX_SIM_DAYS} (got ${v})` }]);
  return n;
}

/** The day-by-day summary as text. */
export function formatSimulation(r: SimResult): string {
  const hosts = Object.keys(r.series[0]?.hosts ?? {});
  const short: Record<string, string> = { Licensed: 'LICENSED', InitialGrace: 'GRACE', OutOfToleranceGrace: 'OOT-GRACE', Notification: 'NOTIFICATION', Unlicensed: 'UNLICENSED' };
  const rows = r.series.map((s) => [String(s.day), s.date, ...LICENSE_STATES.map((st) => String(s.states[st])),
    ...hosts.map((h) => `${s.hosts[h].count}/${s.hosts[h].threshold}${s.hosts[h].up ? '' : ' DOWN'}`), String(s.activations), String(s.failures)]);
  const last = r.series[r.series.length - 1];
  return [
    `${r.name}: ${r.machines} machines, ${r.series.length} days from ${r.start.slice(0, 10)} (${r.steps} lifecycle steps, ${r.cohorts} cohorts)`,
    ...table(['DAY', 'DATE', ...LICENSE_STATES.map((s) => short[s]), ...hosts.map((h) => `${h.toUpperCase()} COUNT/THR`), 'ACTIVATIONS', 'FAILURES'], rows),
    '',
    last ? `At the end: ${LICENSE_STATES.map((s) => `${s} ${last.states[s]}`).join(', ')}` : '',
  ].join('\n') + '\n';
}

/** Runs a scenario and prints or writes its outputs as the options ask. */
export function runAndPrint(s: Scenario, c: Catalogue, opts: { json?: boolean; svg?: string; days?: string }): void {
  let days: number | undefined;
  try {
    days = daysOption(opts.days);
  } catch (err) {
    failInput(err, opts.json);
    return;
  }
  const r = simulate(s, c, days === undefined ? {} : { days });
  if (opts.svg) writeFileSync(opts.svg, simulationSvg(r));
  process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : formatSimulation(r));
}

/** Registers `vact simulate`. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('rehearse a fleet against KMS hosts on a simulated clock (joins, clones, offline machines, host outages, DNS failover)')
    .argument('<scenario>', 'a scenario file, JSON or YAML (.yaml/.yml); format and examples in docs/planning.md')
    .option('--days <n>', `days to simulate (1 … ${MAX_SIM_DAYS}; default: the scenario's days, else 365)`)
    .option('--json', 'print the raw series as JSON (per day: machines by license state, each host\'s count, threshold and up/down)')
    .option('--svg <file>', 'write a chart of count vs threshold per host and of machines by license state')
    .option('--catalogue <file>', 'a catalogue JSON file (default: the bundled reference catalogue)')
    .addHelpText('after', `
Example scenario (YAML):
  days: 365
  hosts: [{ name: kms1, priority: 0 }, { name: kms2, priority: 10, outages: [{ day: 100, days: 14 }] }]
  groups:
    - { name: lab, count: 40, edition: client-enterprise, joinOverDays: 30 }
    - { name: vdi, count: 20, edition: client-enterprise, clones: [{ day: 60, count: 20, regenerateCmid: false }] }
    - { name: laptops, count: 10, edition: client-professional, offline: [{ day: 50, days: 200 }] }
Exit 0 simulated, 2 bad scenario (every bad field named).`)
    .action((file: string, opts: { json?: boolean; svg?: string; days?: string; catalogue?: string }) => {
      let s: Scenario;
      let c: Catalogue;
      try {
        c = catalogueOption(opts.catalogue);
        s = readScenario(file, c);
      } catch (err) {
        failInput(err, opts.json);
        return;
      }
      runAndPrint(s, c, opts);
    });
}
