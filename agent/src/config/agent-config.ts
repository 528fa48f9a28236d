// Settings of `vact agent run`: flags merged over an optional JSON config file, validated in one place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { isLoopbackHost, parseClockSpec, splitHostPort, VactError, type ClockSpec } from '@vact/shared/licensing';
import { readStrictJsonFile } from './strict-json-file';

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
  authorityCa?: string;
  catalogue?: string;
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
  'stateDir', 'edition', 'authority', 'authorityKey', 'authorityCa', 'catalogue', 'control', 'clock', 'hardware', 'tlsCert', 'tlsKey', 'logLevel',
  'kmsListen', 'kmsDomain', 'dnsServer', 'dnsPublish', 'tsigKey', 'dnsPriority', 'dnsWeight', 'metricsListen',
];
/** Config keys that name files (resolved against the config file's folder). */
export const PATH_KEYS = new Set<keyof RawAgentSettings>(['stateDir', 'authorityKey', 'authorityCa', 'catalogue', 'tlsCert', 'tlsKey', 'tsigKey']);
const FLAG_NAMES: Record<keyof RawAgentSettings, string> = {
  stateDir: '--state-dir', edition: '--edition', authority: '--authority', authorityKey: '--authority-key', authorityCa: '--authority-ca', catalogue: '--catalogue',
  control: '--control', clock: '--clock', hardware: '--hardware', tlsCert: '--tls-cert', tlsKey: '--tls-key', logLevel: '--log-level',
  kmsListen: '--kms-listen', kmsDomain: '--kms-domain', dnsServer: '--dns-server', dnsPublish: '--dns-publish', tsigKey: '--tsig-key',
  dnsPriority: '--dns-priority', dnsWeight: '--dns-weight', metricsListen: '--metrics-listen',
};
export const DEFAULT_CONTROL = '127.0.0.1:1689';
/** The state dir of a default install (the CLI looks there too when nothing names another). */
export const DEFAULT_STATE_DIR = '/var/lib/vact';
const MAX_CONFIG_BYTES = 64 * 1024;

function bad(setting: keyof RawAgentSettings | 'config', detail: string): VactError {
  const name = setting === 'config' ? '--config' : `${FLAG_NAMES[setting]} (config key "${setting}")`;
  return new VactError('INVALID_CONFIG', `${name}: ${detail}`, { setting, detail });
}

/** A parser as a zod check: the value passes when the parser accepts it, else the parser's reason is the zod issue's message. */
function checkedBy(parse: (v: string) => unknown): (v: string, ctx: z.RefinementCtx) => void {
  return (v, ctx) => {
    try {
      parse(v);
    } catch (err) {
      const detail = err instanceof VactError ? err.details?.['detail'] : undefined;
      ctx.addIssue({ code: 'custom', message: typeof detail === 'string' ? detail : (err as Error).message });
    }
  };
}

/** The format of each config-file value that has one (files' existence is checked with the merged settings). */
const FORMAT_CHECKS: Partial<Record<keyof RawAgentSettings, (v: string) => unknown>> = {
  edition: parseEdition, authority: parseAuthorityUrl, control: parseControl, clock: parseClock, hardware: parseHardware, logLevel: parseLogLevel,
};

/** The agent config file (`--config FILE`), strict: every key a non-empty string of its format; unknown keys refused. */
export const AgentConfigFileSchema = z.strictObject(Object.fromEntries(CONFIG_KEYS.map((k) => {
  const text = z.string({ error: k === 'kmsDomain' ? 'expected a string or an array of strings' : 'expected a string' }).min(1, 'must not be empty');
  const check = FORMAT_CHECKS[k];
  // kmsDomain may list several domains, as the repeatable --kms-domain does.
  if (k === 'kmsDomain') return [k, z.union([text, z.array(text).min(1)], { error: 'expected a string or an array of strings' }).optional()];
  return [k, (check ? text.superRefine(checkedBy(check)) : text).optional()];
})) as Record<string, z.ZodType>) as unknown as z.ZodType<RawAgentSettings>;

/** Reads a JSON config file; paths in it are relative to the file. Throws INVALID_CONFIG "config FILE: KEY: reason". */
export function readConfigFile(file: string): RawAgentSettings {
  const json: RawAgentSettings = readStrictJsonFile({ kind: 'config', file }, AgentConfigFileSchema, CONFIG_KEYS, MAX_CONFIG_BYTES);
  const out: RawAgentSettings = {};
  const base = path.dirname(path.resolve(file));
  for (const key of CONFIG_KEYS) {
    const v = json[key];
    if (v === undefined) continue;
    if (key === 'kmsDomain') {
      out.kmsDomain = v;
      continue;
    }
    if (typeof v !== 'string') continue; // the schema admits arrays for kmsDomain only
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
  const stateDir = path.resolve(raw.stateDir?.trim() || DEFAULT_STATE_DIR);
  const edition = parseEdition(required(raw, 'edition'));
  const authorityUrl = parseAuthorityUrl(required(raw, 'authority'));

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
  const logLevel = parseLogLevel((raw.logLevel ?? 'info').toLowerCase());
  const kms = parseKmsSettings(raw);
  // The metrics are numbers only, but the rule for every listener holds: loopback, or TLS.
  if (kms.metricsListen && !isLoopbackHost(kms.metricsListen.host) && tlsCert === null) {
    throw bad('metricsListen', `binding ${kms.metricsListen.host} (not loopback) requires --tls-cert and --tls-key (served over https://)`);
  }
  return { stateDir, edition, authorityUrl: authorityUrl.replace(/\/+$/, ''), authorityKeyFile, authorityCa, catalogue, control, clock, hardware, tlsCert, tlsKey, logLevel, kms };
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

/** Checks an edition id (its existence in the catalogue is checked at start). */
export function parseEdition(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)) throw bad('edition', `"${text}" is not an edition id`);
  return text;
}

/** Checks an http:// or https:// URL. */
export function parseAuthorityUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('authority', `"${text}" is not a URL (expected e.g. http://authority.lab:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('authority', `"${text}" must be an http:// or https:// URL`);
  return text;
}

/** Checks a log level. */
export function parseLogLevel(text: string): LogLevelSetting {
  if (!['debug', 'info', 'warn', 'error'].includes(text)) throw bad('logLevel', `"${text}" is not one of debug, info, warn, error`);
  return text as LogLevelSetting;
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
  const spec = parseClockSpec(text.toLowerCase().startsWith('sim:') ? `sim:${text.slice(4)}` : text.toLowerCase());
  if ('error' in spec) throw bad('clock', spec.error);
  return spec;
}

/** Parses `systeminformation` or `file:PATH`. */
export function parseHardware(text: string): HardwareSetting {
  if (text === 'systeminformation') return { kind: 'systeminformation' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: path.resolve(text.slice(5)) };
  throw bad('hardware', `"${text}" is not one of systeminformation, file:PATH`);
}
