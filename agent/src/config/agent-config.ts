// Settings of `vact agent run`: flags merged over an optional JSON config file, validated in one place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLoopbackHost, splitHostPort, VactError } from '@vact/shared';

/** Where hardware components come from. */
export type HardwareSetting = { kind: 'systeminformation' } | { kind: 'file'; path: string };
/** Which clock drives the agent. */
export type ClockSetting = { kind: 'system' } | { kind: 'sim'; start: number | null };

/** Validated settings of one agent process. */
export interface AgentConfig {
  stateDir: string;
  edition: string;
  authorityUrl: string;
  authorityKeyFile: string;
  /** CA certificate (PEM) trusted for an https authority; null: the system's CAs. */
  authorityCa: string | null;
  /** The organisation's own catalogue file; null: the reference catalogue. */
  catalogue: string | null;
  control: { host: string; port: number };
  clock: ClockSetting;
  hardware: HardwareSetting;
  tlsCert: string | null;
  tlsKey: string | null;
  logLevel: LogLevelSetting;
}
export type LogLevelSetting = 'debug' | 'info' | 'warn' | 'error';

/** Raw settings as they come from flags or the config file (all strings). */
export interface RawAgentSettings {
  stateDir?: string;
  edition?: string;
  authority?: string;
  authorityKey?: string;
  authorityCa?: string;
  catalogue?: string;
  control?: string;
  clock?: string;
  hardware?: string;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
}

/** Config file keys (same names as the long flags, camel-cased). */
export const CONFIG_KEYS: readonly (keyof RawAgentSettings)[] = [
  'stateDir', 'edition', 'authority', 'authorityKey', 'authorityCa', 'catalogue', 'control', 'clock', 'hardware', 'tlsCert', 'tlsKey', 'logLevel',
];
const PATH_KEYS = new Set<keyof RawAgentSettings>(['stateDir', 'authorityKey', 'authorityCa', 'catalogue', 'tlsCert', 'tlsKey']);
const FLAG_NAMES: Record<keyof RawAgentSettings, string> = {
  stateDir: '--state-dir', edition: '--edition', authority: '--authority', authorityKey: '--authority-key', authorityCa: '--authority-ca', catalogue: '--catalogue',
  control: '--control', clock: '--clock', hardware: '--hardware', tlsCert: '--tls-cert', tlsKey: '--tls-key', logLevel: '--log-level',
};
export const DEFAULT_CONTROL = '127.0.0.1:1689';
/** The state dir of a default install (the CLI looks there too when nothing names another). */
export const DEFAULT_STATE_DIR = '/var/lib/vact';
const MAX_CONFIG_BYTES = 64 * 1024;

function bad(setting: keyof RawAgentSettings | 'config', detail: string): VactError {
  const name = setting === 'config' ? '--config' : `${FLAG_NAMES[setting]} (config key "${setting}")`;
  return new VactError('INVALID_CONFIG', `${name}: ${detail}`, { setting });
}

/** Reads a JSON config file; paths in it are relative to the file. Throws INVALID_CONFIG naming the key. */
export function readConfigFile(file: string): RawAgentSettings {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.size > MAX_CONFIG_BYTES) throw bad('config', `${file} is larger than ${MAX_CONFIG_BYTES} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof VactError) throw err;
    throw bad('config', `cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw bad('config', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('config', `${file} must hold a JSON object`);
  const out: RawAgentSettings = {};
  const base = path.dirname(path.resolve(file));
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) {
      throw bad('config', `unknown key "${k}" in ${file} (known: ${CONFIG_KEYS.join(', ')})`);
    }
    const key = k as keyof RawAgentSettings;
    if (typeof v !== 'string') throw bad(key, `must be a string in ${file}`);
    out[key] = PATH_KEYS.has(key) ? path.resolve(base, v) : key === 'hardware' && v.startsWith('file:') ? `file:${path.resolve(base, v.slice(5))}` : v;
  }
  return out;
}

/** Merges flags over the config file (flags win) and validates; throws INVALID_CONFIG naming the first bad setting. */
export function resolveAgentConfig(flags: RawAgentSettings, configFile?: string): AgentConfig {
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const raw: RawAgentSettings = { ...fromFile };
  for (const k of CONFIG_KEYS) if (flags[k] !== undefined) raw[k] = flags[k];
  return validateSettings(raw);
}

function required(raw: RawAgentSettings, key: keyof RawAgentSettings): string {
  const v = raw[key];
  if (v === undefined || v.trim() === '') throw bad(key, 'is required');
  return v.trim();
}

/** Validates raw settings into an AgentConfig. */
export function validateSettings(raw: RawAgentSettings): AgentConfig {
  const stateDir = path.resolve(raw.stateDir?.trim() || DEFAULT_STATE_DIR);
  const edition = required(raw, 'edition');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(edition)) throw bad('edition', `"${edition}" is not an edition id`);

  const authorityUrl = required(raw, 'authority');
  let url: URL;
  try {
    url = new URL(authorityUrl);
  } catch {
    throw bad('authority', `"${authorityUrl}" is not a URL (expected e.g. http://authority.lab:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('authority', `"${authorityUrl}" must be an http:// or https:// URL`);

  const authorityKeyFile = path.resolve(required(raw, 'authorityKey'));
  if (!fs.existsSync(authorityKeyFile)) throw bad('authorityKey', `file ${authorityKeyFile} does not exist`);

  const authorityCa = raw.authorityCa ? path.resolve(raw.authorityCa) : null;
  if (authorityCa !== null && !fs.existsSync(authorityCa)) throw bad('authorityCa', `file ${authorityCa} does not exist`);
  const catalogue = raw.catalogue ? path.resolve(raw.catalogue) : null;
  if (catalogue !== null && !fs.existsSync(catalogue)) throw bad('catalogue', `file ${catalogue} does not exist`);
  const control = parseControl(raw.control ?? DEFAULT_CONTROL);
  const clock = parseClock(raw.clock ?? 'system');
  const hardware = parseHardware(raw.hardware ?? 'systeminformation');
  const tlsCert = raw.tlsCert ? path.resolve(raw.tlsCert) : null;
  const tlsKey = raw.tlsKey ? path.resolve(raw.tlsKey) : null;
  if ((tlsCert === null) !== (tlsKey === null)) throw bad(tlsCert ? 'tlsKey' : 'tlsCert', 'must be given together with the other TLS file');
  for (const [k, f] of [['tlsCert', tlsCert], ['tlsKey', tlsKey]] as const) {
    if (f !== null && !fs.existsSync(f)) throw bad(k, `file ${f} does not exist`);
  }
  if (!isLoopbackHost(control.host) && tlsCert === null) {
    throw bad('control', `binding ${control.host} (not loopback) requires --tls-cert and --tls-key`);
  }
  const logLevel = (raw.logLevel ?? 'info').toLowerCase() as LogLevelSetting;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw bad('logLevel', `"${raw.logLevel}" is not one of debug, info, warn, error`);
  return { stateDir, edition, authorityUrl: authorityUrl.replace(/\/+$/, ''), authorityKeyFile, authorityCa, catalogue, control, clock, hardware, tlsCert, tlsKey, logLevel };
}

/** Parses HOST:PORT (IPv6 as [::1]:PORT); port 0 picks a free port. */
export function parseControl(text: string): { host: string; port: number } {
  const hp = splitHostPort(text);
  if ('error' in hp) throw bad('control', hp.error === 'not HOST:PORT' ? `"${text}" is not HOST:PORT (e.g. ${DEFAULT_CONTROL})` : hp.error);
  if (!hp.host) throw bad('control', `"${text}" has no host (e.g. ${DEFAULT_CONTROL})`);
  return hp;
}

/** Parses `system`, `sim` or `sim:ISO-TIME`. */
export function parseClock(text: string): ClockSetting {
  const kind = text.toLowerCase();
  if (kind === 'system') return { kind: 'system' };
  if (kind === 'sim') return { kind: 'sim', start: null };
  if (kind.startsWith('sim:')) {
    const t = Date.parse(text.slice(4));
    if (!Number.isFinite(t)) throw bad('clock', `"${text.slice(4)}" is not an ISO time (e.g. sim:2026-01-01T00:00:00Z)`);
    return { kind: 'sim', start: t };
  }
  throw bad('clock', `"${text}" is not one of system, sim, sim:ISO-TIME`);
}

/** Parses `systeminformation` or `file:PATH`. */
export function parseHardware(text: string): HardwareSetting {
  if (text === 'systeminformation') return { kind: 'systeminformation' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: path.resolve(text.slice(5)) };
  throw bad('hardware', `"${text}" is not one of systeminformation, file:PATH`);
}
