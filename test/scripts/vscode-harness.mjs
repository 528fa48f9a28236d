// Shared pieces of the VS Code suites: real authority + agents from the built CLI, code-server
// started on its own port and killed by PID, Chromium via playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VACT = path.join(ROOT, 'agent/bin/vact.js');
export const EXT = path.join(ROOT, 'extension');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(what, check, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the setup script; returns { N24, CODE_SERVER, CHROMIUM }. */
export function setup() {
  const out = execFileSync(path.join(ROOT, 'test/scripts/setup-vscode.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries(out.trim().split('\n').filter((l) => /^[A-Z0-9_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

export function vactJson(args) {
  return JSON.parse(execFileSync(process.execPath, [VACT, ...args, '--json'], { encoding: 'utf8' }));
}

/** A long-running child whose output goes to a log file; stop() kills it by PID. */
export class Daemon {
  constructor(name, cmd, args, log, env = process.env) {
    this.name = name;
    this.log = log;
    this.child = spawn(cmd, args, { stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')], env });
  }
  output() { return fs.existsSync(this.log) ? fs.readFileSync(this.log, 'utf8') : ''; }
  async stop() {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    process.kill(c.pid, 'SIGTERM');
    const t = setTimeout(() => { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await gone;
    clearTimeout(t);
  }
}

export function startAuthority(dir, port) {
  return new Daemon('authority', process.execPath, [VACT, 'authority', 'serve', '--dir', dir, '--listen', `127.0.0.1:${port}`], path.join(dir, '..', 'authority.log'));
}

const SETTINGS = {
  'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
  'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false, 'git.enabled': false, 'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false, 'window.commandCenter': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.commandCenter.enabled': false,
};

/** Installs a .vsix into a code-server extensions dir, as a user would. */
export function installVsix(env, dir, vsix) {
  execFileSync(env.N24 + '/bin/node', [env.CODE_SERVER, '--user-data-dir', path.join(dir, 'data'), '--extensions-dir', path.join(dir, 'exts'), '--install-extension', vsix], { stdio: 'ignore', env: { ...process.env, EXTENSIONS_GALLERY: '{}' } });
  return fs.readdirSync(path.join(dir, 'exts')).filter((d) => d.startsWith('vact.'));
}

/** Starts code-server for one run (own port, own user data); resolves when /healthz answers. */
export async function startCodeServer(env, dir, workspace, extra = {}) {
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'data/User'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'data/User/settings.json'), JSON.stringify({ ...SETTINGS, ...extra }, null, 2));
  fs.writeFileSync(path.join(dir, 'cs-config.yaml'), '');
  const d = new Daemon('code-server', env.N24 + '/bin/node', [env.CODE_SERVER, '--config', path.join(dir, 'cs-config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', path.join(dir, 'data'), '--extensions-dir', path.join(dir, 'exts'), '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened', '--reconnection-grace-time', '5', '--vscode-option', 'enable-smoke-test-driver', workspace],
    path.join(dir, 'code-server.log'), { ...process.env, EXTENSIONS_GALLERY: '{}' });
  d.port = port;
  d.settingsFile = path.join(dir, 'data/User/settings.json');
  await waitFor('code-server /healthz', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);
  return d;
}

/** The page URL that loads the extension under development (and, optionally, its tests). */
export function pageUrl(port, workspace, testsPath, installed = false) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  if (installed) return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  const payload = [['extensionDevelopmentPath', remote(EXT)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export async function launchChromium(env) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: env.CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

/** Starts a lab agent in `.lab/NAME` (its log next to it, as `vact lab` keeps them) and waits until it listens. */
async function labAgent(lab, name, edition, authority, extra = []) {
  fs.mkdirSync(path.join(lab, name), { recursive: true });
  const n = name.length + name.charCodeAt(0);
  const hw = path.join(lab, `${name}.hardware.json`);
  fs.writeFileSync(hw, JSON.stringify({ board: `${name}-b`, system: `${name}-s`, cpu: 'cpu', mem: 8 * 2 ** 30, disks: [`${name}-d`], macs: [`02:00:00:00:03:${(n % 256).toString(16).padStart(2, '0')}`], machineId: `${name}-m` }));
  const port = await freePort();
  const d = new Daemon(name, process.execPath, [VACT, 'agent', 'run', '--state-dir', path.join(lab, name), '--edition', edition, '--authority', authority.url, '--authority-key', authority.publicKey, '--control', `127.0.0.1:${port}`, '--hardware', `file:${hw}`, ...extra], path.join(lab, `${name}.log`));
  await waitFor(`${name} to listen`, () => d.output().includes('listening on'));
  d.url = `ws://127.0.0.1:${port}`;
  d.stateDir = path.join(lab, name);
  d.edition = edition;
  d.cli = (args) => vactJson([...args, '--agent', d.url, '--state-dir', d.stateDir]);
  return d;
}

/**
 * KMS requests from machines that are not agents (as `kms-host` would see from a lab's other
 * machines): distinct CMIDs, and one CMID sent again from another machine name and hardware (a
 * cloned image) so the host flags a duplicate.
 */
async function rawKmsRequests(port, edition, count) {
  const require = createRequire(import.meta.url);
  const { kmsExchange } = require(path.join(ROOT, 'agent/dist/kms/index.js'));
  const { SystemClock } = require(path.join(ROOT, 'shared/dist/node/index.js'));
  const clock = new SystemClock();
  const ask = (cmid, machineName) => kmsExchange({ host: '127.0.0.1', port }, {
    cmid, nonce: randomBytes(16).toString('hex'), clientTime: Date.now(), edition, vm: machineName.startsWith('vm-'), licenseStatus: 'InitialGrace',
    remainingGraceMinutes: 40_000, machineName, hardwareHash: randomBytes(16).toString('hex'),
  }, { clock });
  const first = randomBytes(16).toString('hex');
  await ask(first, 'lab-srv-1');
  for (let i = 2; i <= count; i++) await ask(randomBytes(16).toString('hex'), i === count ? `vm-srv-${i}` : `lab-srv-${i}`);
  await ask(first, 'lab-srv-1-clone');
}

/**
 * The fixture both suites use: a real authority with a MAK and a KMS host key issued, and a
 * workspace whose `.lab` folder (with the run.json `vact lab` writes) holds "ui-1" with that MAK
 * installed while the authority was down, so "Activate now" has something to do; "kms-host", a
 * KMS host certified by the authority that already heard four other machines (one of them twice,
 * from a clone); and "client-1", a KMS client set to that host.
 */
export async function makeFixture(dir) {
  const authDir = path.join(dir, 'authority');
  const { publicKeyFile: publicKey } = vactJson(['authority', 'init', '--dir', authDir]);
  const authPort = await freePort();
  const authorityUrl = `http://127.0.0.1:${authPort}`;
  let authority = startAuthority(authDir, authPort);
  await waitFor('the authority', async () => (await fetch(`${authorityUrl}/v1/health`)).ok);
  const makKey = vactJson(['authority', 'key', 'issue', '--type', 'mak', '--group', 'client-vl', '--limit', '25', '--note', 'vscode suites', '--dir', authDir, '--url', authorityUrl]).key;
  const hostKey = vactJson(['authority', 'key', 'issue', '--type', 'kms-host', '--group', 'server-b', '--note', 'vscode suites', '--dir', authDir, '--url', authorityUrl]).key;
  await authority.stop();

  const ws = path.join(dir, 'workspace');
  const lab = path.join(ws, '.lab');
  fs.mkdirSync(path.join(lab, 'ui-1'), { recursive: true });
  const hw = path.join(lab, 'ui-1.hardware.json');
  fs.writeFileSync(hw, JSON.stringify({ board: 'ui-b', system: 'ui-s', cpu: 'cpu', mem: 8 * 2 ** 30, disks: ['ui-d'], macs: ['02:00:00:00:02:01'], machineId: 'ui-m' }));
  const uiPort = await freePort();
  const uiAgent = new Daemon('ui-1', process.execPath, [VACT, 'agent', 'run', '--state-dir', path.join(lab, 'ui-1'), '--edition', 'client-enterprise', '--authority', authorityUrl, '--authority-key', publicKey, '--control', `127.0.0.1:${uiPort}`, '--clock', 'sim', '--hardware', `file:${hw}`], path.join(lab, 'ui-1.log'));
  await waitFor('ui-1 to listen', () => uiAgent.output().includes('listening on'));
  try {
    execFileSync(process.execPath, [VACT, 'key', 'install', makKey, '--agent', `ws://127.0.0.1:${uiPort}`, '--state-dir', path.join(lab, 'ui-1'), '--json'], { stdio: 'ignore' });
  } catch { /* the activation fails (authority down); the key stays installed */ }
  authority = startAuthority(authDir, authPort);
  await waitFor('the authority again', async () => (await fetch(`${authorityUrl}/v1/health`)).ok);

  const auth = { url: authorityUrl, publicKey };
  const host = await labAgent(lab, 'kms-host', 'server-standard', auth, ['--kms-listen', '127.0.0.1:0']);
  host.cli(['key', 'install', hostKey]);
  const listening = await waitFor('the KMS host to listen', () => host.cli(['host', 'status']).listening);
  const kmsPort = Number(listening.split(':').pop());
  await rawKmsRequests(kmsPort, 'server-standard', 4);
  const client = await labAgent(lab, 'client-1', 'server-web', auth);
  host.kmsPort = kmsPort;
  client.cli(['kms', 'set', `127.0.0.1:${kmsPort}`]);
  const run = {
    pid: process.pid, startedAt: new Date().toISOString(), clock: 'system', authority: { url: authorityUrl, dir: authDir, publicKey }, discovery: { kind: 'static', detail: `127.0.0.1:${kmsPort}` },
    agents: [[host, 'kms-host'], [client, 'kms-client'], [{ url: `ws://127.0.0.1:${uiPort}`, stateDir: path.join(lab, 'ui-1'), edition: 'client-enterprise', name: 'ui-1' }, 'mak']]
      .map(([a, role]) => ({ name: a.name, role, edition: a.edition, control: a.url, stateDir: a.stateDir })),
  };
  fs.writeFileSync(path.join(lab, 'run.json'), JSON.stringify(run, null, 2), { mode: 0o600 });

  fs.writeFileSync(path.join(ws, 'fixture.json'), JSON.stringify({ node: process.execPath, vact: VACT, authorityUrl, authorityKey: publicKey, makKey, dir: path.join(dir, 'agents'), kmsHost: { url: host.url, stateDir: host.stateDir, kmsPort } }, null, 2));
  fs.mkdirSync(path.join(dir, 'agents'), { recursive: true });
  return { workspace: ws, daemons: [uiAgent, client, host, authority], makKey };
}
