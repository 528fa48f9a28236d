// The one log configuration of the agent and the authority (pino): each line is
// {"time":ISO-8601,"level":"info","msg":…, …fields flat}; secrets never reach a line.
import { pino, type DestinationStream, type LoggerOptions } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** The project's call shape (`info(msg, fields)`); a pino logger made by createJsonLog. */
export interface JsonLog {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Hands what the destination buffers to the OS, then calls back. */
  flush(cb?: (err?: Error) => void): void;
}

/** A line destination: pino calls write(line) once per line, synchronously. */
export type LogDestination = DestinationStream;

// A whole product key: five groups of five (the last group is what may be shown).
const WHOLE_KEY = /(?<![A-Z0-9])[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-([A-Z0-9]{5})(?![A-Z0-9])/gi;
const SECRET_FIELD = /token|secret|password|private/i;
const REDACTED = '[redacted]';
// The first three keys of every line; a field of the same name is dropped, never replaces them.
const RESERVED = new Set(['time', 'level', 'msg']);

/** Replaces every whole product key in `text` by its partial form `*****-*****-*****-*****-XXXXX`. */
export function redactKeys(text: string): string {
  return text.replace(WHOLE_KEY, (_m, last: string) => `*****-*****-*****-*****-${last}`);
}

/** Whole product keys → partial keys in strings, fields named like a secret → "[redacted]", recursively. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactKeys(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? REDACTED : redact(v, depth + 1);
  return out;
}

/** The record pino prints for one call: level label, message and fields, all redacted. */
function logRecord(level: string, msg: unknown, fields: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { level, msg: typeof msg === 'string' ? redactKeys(msg) : redact(msg) };
  if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
    for (const [k, v] of Object.entries(redact(fields) as LogFields)) if (!RESERVED.has(k)) out[k] = v;
  }
  return out;
}

export interface JsonLogOptions {
  level?: LogLevel;
  /** The time source of the `time` field (default Date.now). */
  now?: () => number;
}

/**
 * The pino options both services use. pino would print `level` first and the message last; the
 * documented line starts `time`, `level`, `msg`. So the level formatter prints nothing (the line
 * then opens with a bare `{`, hence no leading comma in the timestamp), and the log-method hook
 * passes level label and message as the first two fields of the merged object.
 */
export function jsonLogOptions(opts: JsonLogOptions = {}): LoggerOptions<never, false> {
  const now = opts.now ?? Date.now;
  return {
    level: opts.level ?? 'info',
    messageKey: 'msg',
    // No pid or hostname: one process per machine and service, and the file says which.
    base: undefined,
    timestamp: () => `"time":"${new Date(now()).toISOString()}"`,
    formatters: { level: () => ({}) },
    hooks: {
      logMethod(args, method, level) {
        method.call(this, logRecord(this.levels.labels[level] ?? String(level), args[0], args[1]));
      },
    },
  };
}

/** A logger with the shared configuration writing lines to `destination`. */
export function createJsonLog(destination: LogDestination, opts: JsonLogOptions = {}): JsonLog {
  return pino(jsonLogOptions(opts), destination);
}

/** One destination writing each line to every one of `destinations` (pino's multistream). */
export function teeLogDestination(destinations: LogDestination[], level: LogLevel): LogDestination {
  if (destinations.length === 1) return destinations[0];
  return pino.multistream(destinations.map((stream) => ({ stream, level })));
}

/**
 * An asynchronous stdout destination (lines written while one write is in flight go out together;
 * flushed at exit). A failed write (full disk, closed pipe) drops lines, never the process.
 */
export function stdoutLogDestination(): LogDestination {
  const dest = pino.destination({ dest: 1, sync: false });
  dest.on('error', () => { /* dropped: logging never takes the service down */ });
  return dest;
}
