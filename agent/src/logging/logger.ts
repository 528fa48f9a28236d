// The agent's operational log: human lines on stderr, JSON lines in a size-rotated file in D.
import * as fs from 'node:fs';
import { rotateFiles } from './file-rotation';
import * as path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const KEY_RE = /\b[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-([A-Z0-9]{5})\b/gi;
const SECRET_FIELDS = /token|secret|password|private/i;

/** Replaces full product keys by their partial form and drops secret-looking fields, recursively. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(KEY_RE, (_m, last: string) => `*****-*****-*****-*****-${last}`);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELDS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Directory for agent.log (JSON lines); omit for terminal only. */
  dir?: string;
  maxBytes?: number;
  keep?: number;
  /** Terminal sink (default: process.stderr). */
  terminal?: { write(s: string): unknown } | null;
  /** Time source for stamps (the agent clock). */
  now?: () => number;
}

/**
 * One JSON log line, the same shape for the agent and the authority: `time` (ISO 8601), `level`,
 * `msg`, then the fields flat (a field may not replace those three).
 */
export function logRecord(time: string, level: string, msg: string, fields?: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { time, level, msg };
  for (const [k, v] of Object.entries(fields ?? {})) if (!(k in out)) out[k] = v;
  return out;
}

/** A small leveled logger; never throws (a full disk must not crash the daemon). */
export class Logger {
  private readonly level: number;
  private readonly file: string | null;
  private readonly maxBytes: number;
  private readonly keep: number;
  private size = 0;
  private readonly terminal: { write(s: string): unknown } | null;
  private readonly now: () => number;

  constructor(opts: LoggerOptions = {}) {
    this.level = RANK[opts.level ?? 'info'];
    this.file = opts.dir ? path.join(opts.dir, 'agent.log') : null;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.keep = opts.keep ?? 3;
    this.terminal = opts.terminal === undefined ? process.stderr : opts.terminal;
    this.now = opts.now ?? (() => Date.now());
    if (this.file) {
      try {
        this.size = fs.statSync(this.file).size;
      } catch {
        this.size = 0;
      }
    }
  }

  debug(msg: string, data?: Record<string, unknown>): void { this.write('debug', msg, data); }
  info(msg: string, data?: Record<string, unknown>): void { this.write('info', msg, data); }
  warn(msg: string, data?: Record<string, unknown>): void { this.write('warn', msg, data); }
  error(msg: string, data?: Record<string, unknown>): void { this.write('error', msg, data); }

  private write(level: LogLevel, msg: string, data?: Record<string, unknown>): void {
    if (RANK[level] < this.level) return;
    const time = new Date(this.now()).toISOString();
    const safeMsg = redact(msg) as string;
    const safeData = data ? (redact(data) as Record<string, unknown>) : undefined;
    try {
      if (this.terminal) {
        const extra = safeData ? ' ' + Object.entries(safeData).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : '';
        this.terminal.write(`${time} ${level.toUpperCase().padEnd(5)} ${safeMsg}${extra}\n`);
      }
      if (this.file) {
        const line = `${JSON.stringify(logRecord(time, level, safeMsg, safeData))}\n`;
        if (this.size > 0 && this.size + line.length > this.maxBytes) this.rotate(this.file);
        fs.appendFileSync(this.file, line, { mode: 0o600 });
        this.size += Buffer.byteLength(line);
      }
    } catch {
      // Logging must never take the daemon down (full disk, closed stderr).
    }
  }

  private rotate(file: string): void {
    rotateFiles(file, (i) => `${file}.${i}`, this.keep);
    this.size = 0;
  }
}
