// `vact agent install|uninstall`: the agent as a systemd service. Plans first (pure data:
// files, modes, commands), then applies the plan; --print shows the plan's files instead.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VactError } from '@vact/shared';
import { PATH_KEYS, readConfigFile, validateSettings } from '../config/agent-config';
import { writeFileAtomic } from '../store/atomic-file';
import { DEFAULT_CONFIG_DIR, DEFAULT_STATE_DIR, renderUnit, UNIT_NAME } from './systemd-unit';

export const SERVICE_USER = 'vact';
const UNIT_DIR = '/etc/systemd/system';
/** A contact with systemctl or useradd that takes longer than this is abandoned. */
const COMMAND_TIMEOUT_MS = 30_000;

export interface InstallOptions {
  /** The agent config to install (required unless one is installed already). */
  config?: string;
  /** Write under this directory instead of / (an image being built); no user, no systemctl. */
  root?: string;
  /** Enable the unit but do not start it. */
  noStart?: boolean;
  node?: string;
  entry?: string;
}

/** One file the installer writes. */
export interface PlannedFile {
  path: string;
  mode: number;
  /** Readable by the service group (root:vact) rather than root only. */
  groupReadable: boolean;
  content: string | Buffer;
}

export interface InstallPlan {
  unit: string;
  files: PlannedFile[];
  dirs: { path: string; mode: number }[];
  notes: string[];
}

/** Where a path lands under --root. */
function under(root: string | undefined, p: string): string {
  return root ? path.join(root, p) : p;
}

/** True when some directory on the way to `file` is a home directory, which ProtectHome=yes hides. */
function underHome(file: string): boolean {
  return /^\/(root|home|run\/user)(\/|$)/.test(file);
}

/** Plans an install: the config (validated by the agent's own loader, files it names copied beside it) and the unit. */
export function planInstall(opts: InstallOptions): InstallPlan {
  const configDir = DEFAULT_CONFIG_DIR;
  const configFile = path.join(configDir, 'agent.json');
  const installedConfig = under(opts.root, configFile);
  const source = opts.config ?? (fs.existsSync(installedConfig) ? installedConfig : undefined);
  if (!source) {
    throw new VactError('INVALID_CONFIG', `--config: no config given and none installed at ${installedConfig}; pass --config FILE (an agent config, see docs/operations.md)`);
  }
  const raw = readConfigFile(source);
  // The service's state is systemd's StateDirectory, whatever the source config said.
  const stateDir = DEFAULT_STATE_DIR;
  const settings: Record<string, string> = { ...(raw as Record<string, string>), stateDir };
  const files: PlannedFile[] = [];
  const notes: string[] = [];
  if (raw.stateDir && opts.config && raw.stateDir !== stateDir && source !== installedConfig) {
    notes.push(`stateDir ${raw.stateDir} from ${source} is replaced by ${stateDir}, the service's state directory`);
  }
  // The service user cannot read files under home directories (ProtectHome) or root-only ones:
  // copy every file the config names into /etc/vact, readable by the service group. Where
  // the files are now (for reading and validating) and where the service will see them differ
  // under --root, and for an installed config they are already in place.
  const reinstall = source === installedConfig;
  const here: Record<string, string> = { ...settings };
  for (const key of PATH_KEYS) {
    if (key === 'stateDir') continue;
    const file = settings[key];
    if (file === undefined) continue;
    if (reinstall) {
      here[key] = under(opts.root, file);
      continue;
    }
    const installed = path.join(configDir, path.basename(file));
    let content: Buffer;
    try {
      content = fs.readFileSync(file);
    } catch (err) {
      throw new VactError('INVALID_CONFIG', `${key}: cannot read ${file}: ${(err as Error).message}`, { setting: key });
    }
    files.push({ path: installed, mode: 0o640, groupReadable: true, content });
    settings[key] = installed;
  }
  if (settings['hardware']?.startsWith('file:')) notes.push('hardware comes from a file (a test setup): real machines use systeminformation');
  validateSettings(here);
  files.unshift({ path: configFile, mode: 0o640, groupReadable: true, content: `${JSON.stringify(settings, null, 2)}\n` });

  const node = opts.node ?? process.execPath;
  const entry = opts.entry ?? fs.realpathSync(path.join(__dirname, '..', '..', 'bin', 'vact.js'));
  for (const [what, p] of [['node', node], ['the vact entry', entry]] as const) {
    if (underHome(p)) {
      notes.push(`${what} is under a home directory (${p}), which the hardened unit cannot see (ProtectHome=yes): install vact system-wide first (npm install -g vact-agent-<version>.tgz) and run this again`);
    }
  }
  const control = settings['control'] ?? '127.0.0.1:1689';
  const privilegedPort = Number(/:(\d+)$/.exec(control)?.[1] ?? 1689) < 1024;
  const unit = renderUnit({
    node, entry, configFile, user: SERVICE_USER, stateDir,
    bindPrivileged: privilegedPort || settings['kmsListen'] !== undefined,
  });
  files.push({ path: path.join(UNIT_DIR, UNIT_NAME), mode: 0o644, groupReadable: false, content: unit });
  return { unit, files, dirs: [{ path: configDir, mode: 0o750 }], notes };
}

/** Runs a system command with a timeout; resolves with its output or rejects with SERVICE_MANAGER_FAILED. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: COMMAND_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) reject(new VactError('SERVICE_MANAGER_FAILED', `${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

/** True when this machine was booted with systemd (so systemctl can act now). */
function systemdRunning(): boolean {
  return fs.existsSync('/run/systemd/system');
}

async function serviceGid(root: string | undefined): Promise<number | null> {
  if (root) return null;
  try {
    return Number((await run('id', ['-g', SERVICE_USER])).trim());
  } catch {
    await run('useradd', ['--system', '--user-group', '--home-dir', DEFAULT_STATE_DIR, '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE_USER]);
    return Number((await run('id', ['-g', SERVICE_USER])).trim());
  }
}

export interface InstallResult {
  written: string[];
  actions: string[];
  notes: string[];
}

/** Applies the plan: user, files (atomically, with their modes), systemctl enable [--now]. */
export async function install(opts: InstallOptions, plan: InstallPlan): Promise<InstallResult> {
  if (!opts.root && process.getuid?.() !== 0) throw new VactError('NEEDS_ROOT', 'vact agent install writes /etc/vact and /etc/systemd/system');
  const actions: string[] = [];
  const gid = await serviceGid(opts.root);
  if (gid !== null) actions.push(`service user ${SERVICE_USER} (gid ${gid})`);
  for (const d of plan.dirs) {
    const p = under(opts.root, d.path);
    fs.mkdirSync(path.dirname(p), { recursive: true }); // parents keep the usual 0755
    if (!fs.existsSync(p)) fs.mkdirSync(p, { mode: d.mode });
    fs.chmodSync(p, d.mode);
    if (gid !== null) fs.chownSync(p, 0, gid);
  }
  const written: string[] = [];
  for (const f of plan.files) {
    const p = under(opts.root, f.path);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    writeFileAtomic(p, f.content, f.mode);
    if (gid !== null && f.groupReadable) fs.chownSync(p, 0, gid);
    written.push(p);
  }
  const notes = [...plan.notes];
  if (opts.root) {
    notes.push(`written under ${opts.root}: on the installed system create the user (useradd --system --user-group ${SERVICE_USER}), chgrp ${SERVICE_USER} ${DEFAULT_CONFIG_DIR} and its files, then systemctl enable --now ${UNIT_NAME}`);
  } else if (!systemdRunning()) {
    notes.push(`systemd is not running on this machine: the unit is written; it starts once the machine boots with systemd (systemctl enable --now ${UNIT_NAME})`);
  } else {
    await run('systemctl', ['daemon-reload']);
    await run('systemctl', opts.noStart ? ['enable', UNIT_NAME] : ['enable', '--now', UNIT_NAME]);
    actions.push(opts.noStart ? `systemctl enable ${UNIT_NAME}` : `systemctl enable --now ${UNIT_NAME}`);
  }
  return { written, actions, notes };
}

export interface UninstallOptions {
  root?: string;
  purge?: boolean;
}

export interface UninstallResult {
  removed: string[];
  kept: string[];
  actions: string[];
}

/** Stops and removes the unit; keeps config and state unless purge. */
export async function uninstall(opts: UninstallOptions): Promise<UninstallResult> {
  if (!opts.root && process.getuid?.() !== 0) throw new VactError('NEEDS_ROOT', 'vact agent uninstall removes /etc/systemd/system/' + UNIT_NAME);
  const actions: string[] = [];
  const unitFile = under(opts.root, path.join(UNIT_DIR, UNIT_NAME));
  if (!opts.root && systemdRunning() && fs.existsSync(unitFile)) {
    await run('systemctl', ['disable', '--now', UNIT_NAME]);
    actions.push(`systemctl disable --now ${UNIT_NAME}`);
  }
  const removed: string[] = [];
  const kept: string[] = [];
  if (fs.existsSync(unitFile)) {
    fs.rmSync(unitFile);
    removed.push(unitFile);
    if (!opts.root && systemdRunning()) await run('systemctl', ['daemon-reload']);
  }
  for (const dir of [DEFAULT_CONFIG_DIR, DEFAULT_STATE_DIR].map((d) => under(opts.root, d))) {
    if (!fs.existsSync(dir)) continue;
    if (opts.purge) {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } else {
      kept.push(dir);
    }
  }
  if (opts.purge && !opts.root) {
    try {
      await run('id', [SERVICE_USER]);
      await run('userdel', [SERVICE_USER]);
      actions.push(`userdel ${SERVICE_USER}`);
    } catch {
      // no such user: nothing to remove
    }
  }
  return { removed, kept, actions };
}
