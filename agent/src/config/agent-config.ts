// Settings of `vact agent run`: flags merged over an optional JSON config file, validated in one place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLoopbackHost, parseClockSpec, splitHostPort, VactError, type ClockSpec } from '@vact/shared';

/** Where hardware components come from. */
export type HardwareSetting = { kind: 'systeminformation' } | { kind: 'file'; path: string };
/** Which clock drives the agent. */
export type ClockSetting = ClockSpec;

/** Validated settings of one agent process. */
export interface AgentConfig {
  stateDir: string;
  edition: string;
  authorityUrl: string;
  authorityKeyFile: string;
  control: { host: string; port: number };
  clock: ClockSetting;
  hardware: HardwareSetting;
  tlsCert: string | null;
  tlsKey: string | null;
  logLevel: LogLevelSetting;
  /** The KMS client's and host's settings (all optional on the command line). */
  kms: KmsSettings;
}
export type LogLevelSetting = 'debug' | 'info' | 'warn' | 'error';

/** Raw settings as they come from flags or the config file (all strings). */
export interface RawAgentSettings {
  stateDir?: string;
  edition?: string;
  authority?: string;
  authorityKey?: string;
  control?: string;
  clock?: string;
  hardware?: string;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
  kmsListen?: string;
  /** Repeatable on the command line; a string or an array of strings in the config file. */
  kmsDomain?: string | string[];
  dnsServer?: string;
  dnsPublish?: string;
  tsigKey?: string;
  dnsPriority?: string;
  dnsWeight?: string;
  metricsListen?: string;
}

/** KMS settings of one agent. */
export interface KmsSettings {
  /** Where a KMS host listens (`--kms-listen`, default 0.0.0.0:1688). */
  listen: { host: string; port: number };
  /** DNS domains searched for _vlmcs._tcp SRV records (`--kms-domain`, repeatable). */
  domains: string[];
  /** The DNS server for SRV lookups and dynamic updates (`--dns-server HOST:PORT`); the system's when null. */
  dnsServer: { host: string; port: number } | null;
  /** DNS publishing of a KMS host (`--dns-publish ZONE --tsig-key FILE`), or null. */
  publish: { zone: string; tsigKeyFile: string; priority: number; weight: number } | null;
  /** Prometheus metrics listener (`--metrics-listen HOST:PORT`), off when null. */
  metricsListen: { host: string; port: number } | null;
}

/** Default KMS host listen address (all interfaces, TCP 1688). */
export const DEFAULT_KMS_LISTEN = '0.0.0.0:1688';

/** Config file keys (same names as the long flags, camel-cased). */
export const CONFIG_KEYS: readonly (keyof RawAgentSettings)[] = [
  'stateDir', 'edition', 'authority', 'authorityKey', 'control', 'clock', 'hardware', 'tlsCert', 'tlsKey', 'logLevel',
  'kmsListen', 'kmsDomain', 'dnsServer', 'dnsPublish', 'tsigKey', 'dnsPriority', 'dnsWeight', 'metricsListen',
];
/** Config keys that name files (resolved against the config file's folder). */
export const PATH_KEYS = new Set<keyof RawAgentSettings>(['stateDir', 'authorityKey', 'tlsCert', 'tlsKey', 'tsigKey']);
const FLAG_NAMES: Record<keyof RawAgentSettings, string> = {
  stateDir: '--state-dir', edition: '--edition', authority: '--authority', authorityKey: '--authority-key',
  control: '--control', clock: '--clock', hardware: '--hardware', tlsCert: '--tls-cert', tlsKey: '--tls-key', logLevel: '--log-level',
  kmsListen: '--kms-listen', kmsDomain: '--kms-domain', dnsServer: '--dns-server', dnsPublish: '--dns-publish', tsigKey: '--tsig-key',
  dnsPriority: '--dns-priority', dnsWeight: '--dns-weight', metricsListen: '--metrics-listen',
};
export const DEFAULT_CONTROL = '127.0.0.1:1689';
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
    if (key === 'kmsDomain' && Array.isArray(v) && v.every((d) => typeof d === 'string')) {
      out.kmsDomain = v;
      continue;
    }
    if (typeof v !== 'string') throw bad(key, `must be a string in ${file}${key === 'kmsDomain' ? ' or an array of strings' : ''}`);
    out[key] = PATH_KEYS.has(key) ? path.resolve(base, v) : key === 'hardware' && v.startsWith('file:') ? `file:${path.resolve(base, v.slice(5))}` : v;
  }
  return out;
}

/** Merges flags over the config file (flags win) and validates; throws INVALID_CONFIG naming the first bad setting. */
export function resolveAgentConfig(flags: RawAgentSettings, configFile?: string): AgentConfig {
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const raw: RawAgentSettings = { ...fromFile };
  for (const k of CONFIG_KEYS) if (flags[k] !== undefined) (raw as Record<string, unknown>)[k] = flags[k];
  return validateSettings(raw);
}

function required(raw: RawAgentSettings, key: Exclude<keyof RawAgentSettings, 'kmsDomain'>): string {
  const v = raw[key];
  if (v === undefined || v.trim() === '') throw bad(key, 'is required');
  return v.trim();
}

/** Validates raw settings into an AgentConfig. */
export function validateSettings(raw: RawAgentSettings): AgentConfig {
  const stateDir = path.resolve(required(raw, 'stateDir'));
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
  const logLevel = (raw.logLevel ?? 'info') as LogLevelSetting;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw bad('logLevel', `"${raw.logLevel}" is not one of debug, info, warn, error`);
  const kms = parseKmsSettings(raw);
  // The metrics are numbers only, but the rule for every listener holds: loopback, or TLS.
  if (kms.metricsListen && !isLoopbackHost(kms.metricsListen.host) && tlsCert === null) {
    throw bad('metricsListen', `binding ${kms.metricsListen.host} (not loopback) requires --tls-cert and --tls-key (served over https://)`);
  }
  return { stateDir, edition, authorityUrl: authorityUrl.replace(/\/+$/, ''), authorityKeyFile, control, clock, hardware, tlsCert, tlsKey, logLevel, kms };
}

const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Checks a DNS domain name (`--kms-domain`, `--dns-publish`, `vact kms domain add`); returns it lower-cased without the final dot. */
export function checkDomain(text: string, setting: keyof RawAgentSettings = 'kmsDomain'): string {
  const d = text.trim();
  if (!DNS_NAME.test(d)) throw bad(setting, `"${text}" is not a DNS domain name (e.g. lab.example)`);
  return d.toLowerCase().replace(/\.$/, '');
}

function hostPort(raw: RawAgentSettings, key: 'kmsListen' | 'dnsServer' | 'metricsListen', fallbackPort?: number): { host: string; port: number } | null {
  const text = raw[key];
  if (text === undefined || text.trim() === '') return null;
  const t = text.trim();
  const hp = fallbackPort !== undefined && !/:\d+$/.test(t) && !t.includes(']') ? splitHostPort(`${t}:${fallbackPort}`) : splitHostPort(t);
  if ('error' in hp) throw bad(key, `"${text}" is not HOST:PORT (${hp.error})`);
  if (!hp.host) throw bad(key, `"${text}" has no host`);
  return hp;
}

function smallInt(raw: RawAgentSettings, key: 'dnsPriority' | 'dnsWeight', fallback: number): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 65535) throw bad(key, `"${v}" is not a whole number from 0 to 65535`);
  return n;
}

/** The KMS part of the settings; --dns-publish needs --dns-server and --tsig-key. */
function parseKmsSettings(raw: RawAgentSettings): KmsSettings {
  const listen = hostPort({ kmsListen: raw.kmsListen ?? DEFAULT_KMS_LISTEN }, 'kmsListen')!;
  const list = raw.kmsDomain === undefined ? [] : Array.isArray(raw.kmsDomain) ? raw.kmsDomain : [raw.kmsDomain];
  const domains = [...new Set(list.flatMap((d) => d.split(',')).filter((d) => d.trim() !== '').map((d) => checkDomain(d)))];
  const dnsServer = hostPort(raw, 'dnsServer', 53);
  let publish: KmsSettings['publish'] = null;
  if (raw.dnsPublish !== undefined && raw.dnsPublish.trim() !== '') {
    const zone = checkDomain(raw.dnsPublish, 'dnsPublish');
    if (!dnsServer) throw bad('dnsServer', 'is required with --dns-publish (the server that takes the dynamic updates)');
    if (!raw.tsigKey) throw bad('tsigKey', 'is required with --dns-publish (updates are signed with TSIG)');
    const tsigKeyFile = path.resolve(raw.tsigKey);
    if (!fs.existsSync(tsigKeyFile)) throw bad('tsigKey', `file ${tsigKeyFile} does not exist`);
    publish = { zone, tsigKeyFile, priority: smallInt(raw, 'dnsPriority', 0), weight: smallInt(raw, 'dnsWeight', 100) };
  }
  const metricsListen = hostPort(raw, 'metricsListen');
  return { listen, domains, dnsServer, publish, metricsListen };
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
  const spec = parseClockSpec(text);
  if ('error' in spec) throw bad('clock', spec.error);
  return spec;
}

/** Parses `systeminformation` or `file:PATH`. */
export function parseHardware(text: string): HardwareSetting {
  if (text === 'systeminformation') return { kind: 'systeminformation' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: path.resolve(text.slice(5)) };
  throw bad('hardware', `"${text}" is not one of systeminformation, file:PATH`);
}
