// `vact lab`: a whole local lab on this machine — an authority, lab agents with distinct
// (file) hardware on simulated clocks, a MAK issued and installed — so an administrator
// can try every command against real processes before touching real machines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { authorityConfig } from '../cli/authority-loader';
import { ExitCode, exitCodeForErrorCode, formatErrorText, VactError } from '@vact/shared';
import { freePort, LabDaemon, runVactJson } from './lab-processes';

interface LabAgentSpec { name: string; edition: string; mak: boolean }
interface LabFile { version: 1; makKey?: string }
interface AgentStatus { status: string; statusCode: number; edition: string; channel: string | null; partialKey: string | null; graceEndsAt: string | null; lastError?: { code?: string } | null }

interface LabOptions { dir: string; agents: string; once?: boolean; json?: boolean }

/** The lab's agents: MAK-activated machines and one machine left in its initial grace. */
function agentSpecs(count: number): LabAgentSpec[] {
  const specs: LabAgentSpec[] = [];
  for (let i = 1; i <= count; i++) {
    const mak = i < count || count === 1;
    specs.push({ name: mak ? `mak-${i}` : `grace-${i}`, edition: mak ? 'client-enterprise' : 'client-professional', mak });
  }
  return specs;
}

function writeIfMissing(file: string, content: string): void {
  if (!fs.existsSync(file)) fs.writeFileSync(file, content, { mode: 0o600 });
}

/** Starts the lab, prints how to reach each piece, and keeps it up until Ctrl-C (or exits with --once). */
async function runLab(opts: LabOptions): Promise<number> {
  const count = Number(opts.agents);
  if (!Number.isInteger(count) || count < 1 || count > 20) {
    process.stderr.write(formatErrorText(new VactError('USAGE', `--agents must be a whole number from 1 to 20, not "${opts.agents}"`)));
    return ExitCode.usage;
  }
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const labFile = path.join(dir, 'lab.json');
  const lab: LabFile = fs.existsSync(labFile) ? (JSON.parse(fs.readFileSync(labFile, 'utf8')) as LabFile) : { version: 1 };
  const daemons: LabDaemon[] = [];
  const say = (line: string): void => { if (!opts.json) process.stdout.write(line + '\n'); };
  const stopAll = async (): Promise<void> => { await Promise.all(daemons.map((d) => d.stop())); };

  try {
    // The authority: keys, counts, signatures.
    const authDir = path.join(dir, 'authority');
    const publicKey = authorityConfig().authorityFiles(authDir).publicKeyPath;
    if (!fs.existsSync(publicKey)) await runVactJson(['authority', 'init', '--dir', authDir]);
    const authPort = await freePort();
    const authUrl = `http://127.0.0.1:${authPort}`;
    const authority = new LabDaemon('authority', ['authority', 'serve', '--dir', authDir, '--listen', `127.0.0.1:${authPort}`], path.join(dir, 'authority.log'));
    daemons.push(authority);
    await authority.waitUntil(async () => (await fetch(`${authUrl}/v1/health`)).ok, 'its /v1/health answers');
    say(`authority   ${authUrl}   (dir ${authDir})`);

    if (!lab.makKey) {
      const issued = await runVactJson<{ key: string }>(['authority', 'key', 'issue', '--type', 'mak', '--group', 'client-vl', '--limit', '25', '--note', 'vact lab', '--dir', authDir, '--url', authUrl]);
      lab.makKey = issued.key;
      fs.writeFileSync(labFile, JSON.stringify(lab, null, 2) + '\n', { mode: 0o600 });
    }

    // The agents, each a distinct machine (file hardware) on its own simulated clock.
    const rows: { name: string; control: string; stateDir: string; status: AgentStatus }[] = [];
    for (const [i, spec] of agentSpecs(count).entries()) {
      const stateDir = path.join(dir, spec.name);
      fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      const hw = path.join(dir, `${spec.name}.hardware.json`);
      const n = String(i + 1).padStart(2, '0');
      writeIfMissing(hw, JSON.stringify({ board: `lab-board-${n}`, system: `lab-system-${n}`, cpu: 'lab-cpu-x86_64-4c', mem: 8 * 2 ** 30, disks: [`lab-disk-${n}`], macs: [`02:00:00:00:00:${n}`], machineId: `lab-machine-${n}` }, null, 2) + '\n');
      const port = await freePort();
      const control = `ws://127.0.0.1:${port}`;
      const agent = new LabDaemon(spec.name, ['agent', 'run', '--state-dir', stateDir, '--edition', spec.edition, '--authority', authUrl, '--authority-key', publicKey, '--control', `127.0.0.1:${port}`, '--clock', 'sim', '--hardware', `file:${hw}`], path.join(dir, `${spec.name}.log`));
      daemons.push(agent);
      const client = ['--agent', control, '--state-dir', stateDir];
      await agent.waitUntil(async () => { await runVactJson(['status', ...client]); return true; }, 'its control API answers');
      let status = await runVactJson<AgentStatus>(['status', ...client]);
      if (spec.mak && status.channel !== 'MAK') {
        await runVactJson(['key', 'install', lab.makKey, ...client]).catch((err: Error) => say(`  ${spec.name}: ${err.message}`));
        status = await runVactJson<AgentStatus>(['status', ...client]);
      }
      rows.push({ name: spec.name, control, stateDir, status });
    }

    if (opts.json) {
      process.stdout.write(JSON.stringify({ dir, authority: { url: authUrl, dir: authDir, publicKey }, makKey: lab.makKey, kmsHost: null, agents: rows }, null, 2) + '\n');
    } else {
      say(`MAK         ${lab.makKey} (limit 25, group client-vl)`);
      say('KMS host    not available (this version of the agent has no KMS host service); KMS clients stay in grace');
      say('');
      say(`${'agent'.padEnd(10)} ${'control API'.padEnd(24)} ${'status'.padEnd(14)} ${'channel'.padEnd(8)} edition`);
      for (const r of rows) {
        say(`${r.name.padEnd(10)} ${r.control.padEnd(24)} ${r.status.status.padEnd(14)} ${(r.status.channel ?? '-').padEnd(8)} ${r.status.edition}`);
      }
      const first = rows[0];
      say('');
      say('Try, in another terminal:');
      say(`  npx vact status -v --agent ${first.control} --state-dir ${first.stateDir}`);
      const graceRow = rows.find((r) => r.status.channel !== 'MAK') ?? first;
      say(`  npx vact clock advance 27d --agent ${graceRow.control} --state-dir ${graceRow.stateDir}   # rehearse the grace period`);
      say(`  npx vact events --agent ${graceRow.control} --state-dir ${graceRow.stateDir}`);
      say(`  npx vact authority key info ${lab.makKey} --dir ${authDir} --url ${authUrl}`);
      say(`Logs are in ${dir}. ${opts.once ? '' : 'Press Ctrl-C to stop the lab (its state is kept for the next run).'}`);
    }
    if (opts.once) return ExitCode.ok;

    await new Promise<void>((resolve) => {
      const onSignal = (): void => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); resolve(); };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    say('stopping the lab…');
    return ExitCode.ok;
  } catch (err) {
    const e = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.message ?? String(err));
    process.stderr.write(formatErrorText({ ...e.toJSON(), hint: `${e.hint} The logs are in ${dir}.` }));
    return e.code === 'INTERNAL' ? ExitCode.failed : exitCodeForErrorCode(e.code);
  } finally {
    await stopAll();
  }
}

/** Registers `vact lab`. */
export function registerLabCommand(program: Command): void {
  program
    .command('lab')
    .description('run a local lab on this machine: an authority and lab agents (distinct file hardware, simulated clocks), with a MAK issued and installed')
    .option('--dir <DIR>', 'where the lab keeps its state and logs (kept between runs)', '.lab')
    .option('--agents <N>', 'how many lab agents (the last stays in its KMS grace period)', '3')
    .option('--once', 'start, print the lab, stop everything and exit (for scripts)')
    .option('--json', 'print the lab as JSON')
    .action(async (opts: LabOptions) => { process.exitCode = await runLab(opts); });
}
