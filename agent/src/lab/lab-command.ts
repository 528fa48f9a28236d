// `vact lab [up|status|advance|reset]`: a whole local activation lab — an authority, a KMS host,
// KMS clients and a MAK machine as real processes — so an administrator can try every command
// before touching real machines. `vact lab` alone is `vact lab up`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { ExitCode, VactError } from '@vact/shared';
import { reportError, type ExitBox } from '../cli/command-table';
import { advanceLab } from './lab-clock';
import { LAB_FILE, readRunFile, runningLab } from './lab-file';
import { queryLab, renderLabTable, rowJson } from './lab-status';
import { runLab, type LabOptions } from './lab-run';
import { MAX_LAB_CLIENTS, MAX_LAB_SERVERS } from './lab-topology';

const DIR_FLAG = ['--dir <DIR>', 'the lab folder (state, keys and logs, kept between runs)', '.lab'] as const;

function notRunning(dir: string): VactError {
  let last = '';
  try {
    const run = readRunFile(dir);
    if (run) last = ` (last run by PID ${run.pid}, which has ended)`;
  } catch { /* a bad run.json says nothing useful here */ }
  return new VactError('UNREACHABLE', `no lab is running in ${dir}${last}: start it with \`vact lab --dir ${dir}\``);
}

/** Registers `vact lab` and its subcommands. */
export function registerLabCommand(program: Command, exit: ExitBox): void {
  const lab = program
    .command('lab')
    .description('a local activation lab on this machine: authority, KMS host, KMS clients and a MAK machine as real processes');

  lab
    .command('up', { isDefault: true })
    .description('start the lab (the default): print the table, then one line per state change until Ctrl-C')
    .option(...DIR_FLAG)
    .option('--clients <N>', `client-edition KMS clients (0-${MAX_LAB_CLIENTS}; they need a count of 25)`, '3')
    .option('--servers <M>', `server-edition KMS clients (0-${MAX_LAB_SERVERS}; they need a count of 5)`, '2')
    .option('--agents <N>', 'the same as --clients (the earlier spelling)')
    .option('--clock <clock>', 'sim (one simulated clock: `vact lab advance`) or system', 'sim')
    .option('--once', 'start, print the lab, stop everything and exit (for scripts)')
    .option('--json', 'print the lab as JSON')
    .addHelpText('after', `
Machines: kms-host (server-standard, a server-b KMS host key issued and installed), client-1…N
(client editions), server-1…M (server editions), mak-1 (a client-vl MAK). Each finds the host by
DNS SRV when dnsmasq is installed, else by a static \`vact kms set\`. Running it again reuses the
lab (same keys, state and ports); \`vact lab reset\` wipes it.`)
    .action(async (opts: LabOptions) => {
      // --agents is the landed spelling of --clients; --clients' default must not hide it.
      const clients = lab.commands[0].getOptionValueSource('clients') === 'default' && opts.agents !== undefined ? undefined : opts.clients;
      try {
        exit.code = await runLab({ ...opts, clients });
      } catch (err) {
        exit.code = reportError(err, opts.json === true);
        if (!opts.json) process.stderr.write(`  The lab's logs are in ${path.resolve(opts.dir)}.\n`);
      }
    });

  lab
    .command('status')
    .description('the running lab as a table (from another terminal): agent, role, edition, state, count, control URL')
    .option(...DIR_FLAG)
    .option('--json', 'agents[] with name, role, edition, status, count, control, stateDir')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const dir = path.resolve(opts.dir);
      try {
        const run = runningLab(dir);
        if (!run) throw notRunning(dir);
        const rows = await queryLab(run);
        if (opts.json) process.stdout.write(`${JSON.stringify({ dir, clock: run.clock, pid: run.pid, authority: run.authority, discovery: run.discovery, agents: rows.map(rowJson) }, null, 2)}\n`);
        else process.stdout.write(`${renderLabTable(rows)}\n`);
        exit.code = ExitCode.ok;
      } catch (err) {
        exit.code = reportError(err, opts.json === true);
      }
    });

  lab
    .command('advance')
    .description('move every clock of the running lab (authority and agents) forward together, e.g. 30d (lab started with --clock sim)')
    .argument('<duration>', 'e.g. 2h, 7d, 30d, 180d')
    .option(...DIR_FLAG)
    .option('--json', 'print machine-readable JSON')
    .action(async (duration: string, opts: { dir: string; json?: boolean }) => {
      const dir = path.resolve(opts.dir);
      try {
        const run = runningLab(dir);
        if (!run) throw notRunning(dir);
        const report = await advanceLab(run, duration);
        const rows = await queryLab(run);
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...report, agents: rows.map(rowJson) }, null, 2)}\n`);
        else process.stdout.write(`advanced ${report.by} in ${report.steps} steps of at most 2 h; lab time ${report.now}\n\n${renderLabTable(rows)}\n`);
        exit.code = ExitCode.ok;
      } catch (err) {
        exit.code = reportError(err, opts.json === true);
      }
    });

  lab
    .command('reset')
    .description('wipe the lab folder (keys, state, logs); refused while the lab runs')
    .option(...DIR_FLAG)
    .option('--json', 'print machine-readable JSON')
    .action((opts: { dir: string; json?: boolean }) => {
      const dir = path.resolve(opts.dir);
      try {
        const run = runningLab(dir);
        if (run) throw new VactError('ALREADY_EXISTS', `the lab in ${dir} is running (PID ${run.pid}): stop it first (Ctrl-C in its terminal)`);
        if (!fs.existsSync(dir)) {
          if (opts.json) process.stdout.write(`${JSON.stringify({ dir, removed: false })}\n`);
          else process.stdout.write(`no lab in ${dir}: nothing to do\n`);
          exit.code = ExitCode.ok;
          return;
        }
        // Only a lab folder is wiped: never a folder that merely has the same name.
        const looksLikeLab = fs.existsSync(path.join(dir, LAB_FILE)) || fs.existsSync(path.join(dir, 'authority'));
        if (!looksLikeLab) throw new VactError('INVALID_REQUEST', `${dir} is not a lab folder (no ${LAB_FILE}): not touching it`);
        fs.rmSync(dir, { recursive: true, force: true });
        if (opts.json) process.stdout.write(`${JSON.stringify({ dir, removed: true })}\n`);
        else process.stdout.write(`removed ${dir}; \`vact lab\` makes a new lab\n`);
        exit.code = ExitCode.ok;
      } catch (err) {
        exit.code = reportError(err, opts.json === true);
      }
    });
}
