// What an administrator types for the KMS settings, checked before anything is sent: HOST[:PORT]
// and the intervals (the control API's own schemas; durations with the shared parser).
import { KmsIntervalsParamsSchema, KmsSetParamsSchema, parseDuration, referenceCatalogue, splitHostPort, VactError, type ControlParams } from '@vact/shared';

/** A host name or address: letters, digits, dots and dashes (or an IPv6 address in brackets). */
const HOST_SHAPE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

/** kms.set's params from "HOST", "HOST:PORT" or "[V6]:PORT", or the reason it is not one. */
export function parseKmsHost(text: string): { params: ControlParams<'kms.set'> } | { error: string } {
  const t = text.trim();
  if (!t) return { error: 'Enter a KMS host: HOST or HOST:PORT (e.g. kms1.lab.example or 10.0.0.5:1688)' };
  if (/[\s/]|^\w+:\/\//.test(t)) return { error: `"${t}" is not HOST[:PORT]: no scheme, path or spaces (e.g. kms1.lab.example:1688)` };
  let host = t;
  let port: number | undefined;
  if (/^\[.*\]$/.test(t)) host = t.slice(1, -1);
  else if (t.includes(':') && (t.startsWith('[') || t.split(':').length === 2)) {
    const hp = splitHostPort(t);
    if ('error' in hp) return { error: `"${t}" is not HOST[:PORT]: ${hp.error}` };
    host = hp.host;
    port = hp.port;
  }
  if (!(HOST_SHAPE.test(host) || (host.includes(':') && IPV6.test(host)))) return { error: `"${host}" is not a host name or IP address` };
  const parsed = KmsSetParamsSchema.safeParse(port === undefined ? { host } : { host, port });
  if (!parsed.success) return { error: port !== undefined && (port < 1 || port > 65535) ? `port ${port} is out of range 1-65535` : `"${t}": ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  return { params: parsed.data };
}

/** Minutes from "120" (minutes) or a duration ("2h", "7d", "1d12h"), or the reason it is none. */
export function parseIntervalMinutes(text: string): { minutes: number } | { error: string } {
  const t = text.trim();
  let ms: number;
  if (/^\d+$/.test(t)) ms = Number(t) * 60_000;
  else {
    try {
      ms = parseDuration(t);
    } catch (err) {
      return { error: err instanceof VactError ? err.message : String(err) };
    }
  }
  if (ms % 60_000 !== 0) return { error: `"${t}" is not a whole number of minutes` };
  return { minutes: ms / 60_000 };
}

/** kms.intervals's params from the two texts (empty: unchanged), or the reason they are refused. */
export function parseIntervals(activation: string, renewal: string): { params: ControlParams<'kms.intervals'> } | { error: string } {
  const out: Record<string, number> = {};
  for (const [name, text] of [['activationMinutes', activation], ['renewalMinutes', renewal]] as const) {
    if (!text.trim()) continue;
    const m = parseIntervalMinutes(text);
    if ('error' in m) return { error: `${name === 'activationMinutes' ? 'Activation' : 'Renewal'} interval: ${m.error}` };
    out[name] = m.minutes;
  }
  if (Object.keys(out).length === 0) return { error: 'Give the activation interval, the renewal interval or both' };
  const parsed = KmsIntervalsParamsSchema.safeParse(out);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const which = issue?.path[0] === 'renewalMinutes' ? 'Renewal' : 'Activation';
    const { minIntervalMinutes: min, maxIntervalMinutes: max } = referenceCatalogue().rules;
    return { error: `${which} interval: must be from ${formatMinutes(min)} to ${formatMinutes(max)} (${min} … ${max} minutes)` };
  }
  return { params: parsed.data };
}

/** One interval in the largest exact unit: "2 h", "7 d", "90 min". */
export function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}
