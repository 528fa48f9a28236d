// `vact lab` (= `vact lab up`): the whole activation lab on this machine as real processes —
// an authority, a KMS host on a server edition, client- and server-edition KMS clients, a MAK
// machine — each with its own state dir, control port and file hardware, on simulated clocks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, NotificationMethods, VactError } from '@vact/shared';
import type { ControlClient } from '@vact/shared/node';
import { authorityConfig } from '../cli/authority-loader';
import { labAuthorityDir } from './lab-clock';
import { findDnsmasq, LAB_DOMAIN, startLabDns } from './lab-dns';
import { readLabFile, removeRunFile, runningLab, writeLabFile, writeRunFile, type LabAgent, type LabFile, type RunFile } from './lab-file';
import { freePort } from '@vact/shared/node';
import { LabDaemon, portFree, runVactJson } from './lab-processes';
import { connectLabAgent, queryLab, renderLabTable, rowJson, type LabRow } from './lab-status';
import { LAB_HOST_KEY_GROUP, LAB_MAK_GROUP, labHardware, labMachines, MAX_LAB_CLIENTS, MAX_LAB_SERVERS } from './lab-topology';

export interface LabOptions {
  dir: string;
  clients?: string;
  servers?: string;
  /** The landed spelling of --clients. */
  agents?: string;
  clock?: string;
  once?: boolean;
  json?: boolean;
}

function count(text: string | undefined, fallback: number, max: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new VactError('INVALID_REQUEST', `${flag} must be a whole number from 0 to ${max}, not "${text}"`);
  return n;
}

/** Keeps ports between runs (saved URLs keep working); a port taken by something else is replaced, and said. */
async function portFor(saved: number | undefined, say: (l: string) => void, what: string): Promise<number> {
  if (saved !== undefined && await portFree(saved)) return saved;
  const port = await freePort();
  if (saved !== undefined) say(`note: port ${saved} (${what}) is in use by another program; using ${port}`);
  return port;
}

/** Starts the lab, prints the table, keeps it up with live updates until Ctrl-C (or exits with --once). */
export async function runLab(opts: LabOptions): Promise<number> {
  const dir = path.resolve(opts.dir);
  const clients = count(opts.clients ?? opts.agents, 3, MAX_LAB_CLIENTS, opts.clients !== undefined ? '--clients' : '--agents');
  const servers = count(opts.servers, 2, MAX_LAB_SERVERS, '--servers');
  const clock = opts.clock ?? 'sim';
  if (clock !== 'sim' && clock !== 'system') throw new VactError('INVALID_REQUEST', `--clock must be sim or system, not "${clock}"`);
  const say = (line: string): void => { if (!opts.json) process.stdout.write(`${line}\n`); };

  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const other = runningLab(dir);
  if (other) throw new VactError('ALREADY_EXISTS', `a lab is already running in ${dir} (PID ${other.pid}): use \`vact lab status --dir ${opts.dir}\`, or stop it (Ctrl-C in its terminal)`);
  const previous = readLabFile(dir);
  const saved: LabFile | undefined = previous?.version === 2 ? previous : undefined;
  if (saved && saved.clock !== clock) say(`note: this lab was made with --clock ${saved.clock}; its state dirs keep their times, now on --clock ${clock}`);
  const authDir = labAuthorityDir(dir);
  const files = authorityConfig().authorityFiles(authDir);
  if (fs.existsSync(authDir) && !fs.existsSync(files.publicKeyPath)) {
    throw new VactError('STATE_CORRUPT', `${authDir} is half-made (no ${path.basename(files.publicKeyPath)}): \`vact lab reset --dir ${opts.dir}\` starts the lab afresh`);
  }

  const daemons: LabDaemon[] = [];
  const clientsOpen: ControlClient[] = [];
  try {
    if (!fs.existsSync(files.publicKeyPath)) await runVactJson(['authority', 'init', '--dir', authDir]);
    const authPort = await portFor(saved?.authorityPort, say, 'authority');
    const authUrl = `http://127.0.0.1:${authPort}`;
    // The authority's sim clock starts where the lab's machines left theirs (it keeps none itself).
    const labNow = clock === 'sim' ? labSimNow(dir, saved) : null;
    const authClock = clock === 'sim' ? ['--clock', labNow === null ? 'sim' : `sim:${new Date(labNow).toISOString()}`] : [];
    const authority = new LabDaemon('authority', ['authority', 'serve', '--dir', authDir, '--listen', `127.0.0.1:${authPort}`, ...authClock], path.join(dir, 'authority.log'));
    daemons.push(authority);
    await authority.waitUntil(async () => (await fetch(`${authUrl}/v1/health`)).ok, 'its /v1/health answers');
    const issue = async (type: string, group: string, extra: string[] = []): Promise<string> =>
      (await runVactJson<{ key: string }>(['authority', 'key', 'issue', '--type', type, '--group', group, ...extra, '--note', 'vact lab', '--dir', authDir, '--url', authUrl])).key;
    const makKey = saved?.makKey ?? (previous?.version === 1 ? previous.makKey : undefined) ?? await issue('mak', LAB_MAK_GROUP, ['--limit', '25']);
    const kmsHostKey = saved?.kmsHostKey ?? await issue('kms-host', LAB_HOST_KEY_GROUP);

    // Ports: the saved ones where still free.
    const machines = labMachines(clients, servers);
    const agents: LabAgent[] = [];
    for (const m of machines) {
      const before = saved?.agents.find((a) => a.name === m.name);
      const agent: LabAgent = { ...m, controlPort: await portFor(before?.controlPort, say, `${m.name} control API`) };
      if (m.role === 'kms-host') agent.kmsPort = await portFor(before?.kmsPort, say, 'KMS host');
      agents.push(agent);
    }
    writeLabFile(dir, { version: 2, clock, authorityPort: authPort, makKey, kmsHostKey, agents });
    const kmsPort = agents[0].kmsPort ?? 1688;

    // DNS when dnsmasq is here (the real way clients find a host), else a static setting.
    const dnsmasq = findDnsmasq();
    let dnsArgs: string[] = [];
    let discovery: RunFile['discovery'] = { kind: 'static', detail: `vact kms set 127.0.0.1:${kmsPort} (install dnsmasq to find the host by DNS SRV instead)` };
    if (dnsmasq) {
      const dnsPort = await freePort();
      const dns = startLabDns(dnsmasq, dnsPort, kmsPort, dir);
      daemons.push(dns);
      dnsArgs = ['--kms-domain', LAB_DOMAIN, '--dns-server', `127.0.0.1:${dnsPort}`];
      discovery = { kind: 'dns', detail: `_vlmcs._tcp.${LAB_DOMAIN} SRV on dnsmasq 127.0.0.1:${dnsPort}` };
    }

    const run: RunFile = { pid: process.pid, startedAt: new Date().toISOString(), clock, authority: { url: authUrl, dir: authDir, publicKey: files.publicKeyPath }, discovery, agents: [] };
    for (const [i, a] of agents.entries()) {
      const stateDir = path.join(dir, a.name);
      fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      const hw = path.join(dir, `${a.name}.hardware.json`);
      if (!fs.existsSync(hw)) fs.writeFileSync(hw, `${JSON.stringify(labHardware(i + 1), null, 2)}\n`, { mode: 0o600 });
      const args = ['agent', 'run', '--state-dir', stateDir, '--edition', a.edition, '--authority', authUrl, '--authority-key', files.publicKeyPath,
        '--control', `127.0.0.1:${a.controlPort}`, '--clock', clock, '--hardware', `file:${hw}`];
      if (a.role === 'kms-host') args.push('--kms-listen', `127.0.0.1:${kmsPort}`);
      if (a.role === 'kms-client') args.push(...dnsArgs);
      const daemon = new LabDaemon(a.name, args, path.join(dir, `${a.name}.log`));
      daemons.push(daemon);
      const entry = { name: a.name, role: a.role, edition: a.edition, control: `ws://127.0.0.1:${a.controlPort}`, stateDir };
      run.agents.push(entry);
      let client: ControlClient | undefined;
      await daemon.waitUntil(async () => { client = await connectLabAgent(entry); return true; }, 'its control API answers');
      if (!client) throw new Error(`${a.name}: no control connection`);
      clientsOpen.push(client);
      const status = await client.call('status', {});
      if (a.role === 'kms-host' && status.keyType !== 'kms-host') await client.call('key.install', { key: kmsHostKey });
      if (a.role === 'mak' && status.channel !== 'MAK') await client.call('key.install', { key: makKey });
      if (a.role === 'kms-client' && !dnsmasq) await client.call('kms.set', { host: '127.0.0.1', port: kmsPort });
      if (a.role === 'kms-client') await client.call('activate', {}).catch(() => undefined); // below threshold is an answer, not a failure
    }
    writeRunFile(dir, run);

    // Every client has asked once: ask the early ones again, so each sees the count all of them made.
    for (const [i, a] of agents.entries()) {
      if (a.role === 'kms-client') await clientsOpen[i].call('activate', {}).catch(() => undefined);
    }
    const rows = await queryLab(run);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(labJson(dir, run, makKey, kmsHostKey, rows), null, 2)}\n`);
    } else {
      printLab(say, dir, run, makKey, rows, opts);
    }
    if (opts.once) return ExitCode.ok;
    await liveUntilSignal(say, run, rows, clientsOpen);
    say('stopping the lab…');
    return ExitCode.ok;
  } finally {
    await Promise.all(clientsOpen.map((c) => c.close().catch(() => undefined)));
    await Promise.all(daemons.slice().reverse().map((d) => d.stop()));
    removeRunFile(dir);
  }
}

/** The latest simulated time any of the lab's machines has reached (from their state files), or null for a new lab. */
function labSimNow(dir: string, saved: LabFile | undefined): number | null {
  let latest: number | null = null;
  for (const a of saved?.agents ?? []) {
    try {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, a.name, 'state.json'), 'utf8')) as { clock?: { simNow?: unknown } };
      const t = doc.clock?.simNow;
      if (typeof t === 'number' && Number.isFinite(t) && (latest === null || t > latest)) latest = t;
    } catch {
      // a machine not started yet has no state: it starts at the lab's time
    }
  }
  return latest;
}

function labJson(dir: string, run: RunFile, makKey: string, kmsHostKey: string, rows: LabRow[]): Record<string, unknown> {
  const host = rows.find((r) => r.role === 'kms-host');
  return {
    dir, clock: run.clock, authority: run.authority, makKey, kmsHostKey, discovery: run.discovery,
    kmsHost: host ? { name: host.name, listening: host.host?.listening ?? null, count: host.count, control: host.control } : null,
    // `status` stays the agent's whole status (as it always was); `state` is its name.
    agents: rows.map((r) => ({ ...rowJson(r), state: r.status, status: r.detail })),
  };
}

function printLab(say: (l: string) => void, dir: string, run: RunFile, makKey: string, rows: LabRow[], opts: LabOptions): void {
  say(`authority   ${run.authority.url}   (dir ${run.authority.dir}, clock ${run.clock})`);
  say(`MAK         ${makKey} (limit 25, group ${LAB_MAK_GROUP})`);
  const host = rows.find((r) => r.role === 'kms-host');
  say(`KMS host    ${host?.host?.listening ?? 'not listening'}; clients find it by ${run.discovery.kind === 'dns' ? 'DNS' : 'a static setting'}: ${run.discovery.detail}`);
  say('');
  say(renderLabTable(rows));
  const first = rows.find((r) => r.role === 'kms-client') ?? rows[0];
  const d = opts.dir === '.lab' ? '' : ` --dir ${opts.dir}`;
  say('');
  say('In VS Code: run "vact: Add Local Lab…" and pick this folder; or, in another terminal:');
  say(`  npx vact status -v --agent ${first.control} --state-dir ${first.stateDir}`);
  say(`  npx vact host clients --agent ${host?.control ?? first.control} --state-dir ${host?.stateDir ?? first.stateDir}`);
  if (run.clock === 'sim') say(`  npx vact lab advance 30d${d}     # every machine's clock at once`);
  say(`  npx vact lab status${d}`);
  say(`Logs are in ${dir}. ${opts.once ? '' : 'Press Ctrl-C to stop the lab (its state is kept for the next run).'}`);
}

/** One line per state change, pushed by the agents, until SIGINT/SIGTERM. */
async function liveUntilSignal(say: (l: string) => void, run: RunFile, rows: LabRow[], clients: ControlClient[]): Promise<void> {
  const last = new Map(rows.map((r) => [r.name, r.status]));
  const subs = await Promise.all(clients.map(async (c, i) => {
    const name = run.agents[i].name;
    const off = c.onNotification((n) => {
      if (n.method !== NotificationMethods.stateChanged) return;
      const status = n.params.status.status;
      if (status !== last.get(name)) {
        say(`${n.params.status.now.slice(0, 16).replace('T', ' ')}  ${name}: ${last.get(name) ?? '?'} → ${status}`);
        last.set(name, status);
      }
    });
    await c.subscribe(['state']).catch(() => undefined);
    return off;
  }));
  await new Promise<void>((resolve) => {
    const onSignal = (): void => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); resolve(); };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  for (const off of subs) off.dispose();
}
