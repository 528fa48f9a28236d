// The agent's operational log: the shared JSON log (pino) into a size-rotated agent.log in the
// state directory, and the same lines as human text on stderr.
import * as path from 'node:path';
import { createJsonLog, teeLogDestination, type JsonLog, type LogDestination, type LogLevel } from '@vact/shared/node/log';
import { RotatingLogFile } from './rotating-log-file';

export { redact } from '@vact/shared/node/log';
export type { LogLevel } from '@vact/shared/node/log';
/** The agent's logger: `info(msg, fields)` etc. */
export type Logger = JsonLog;

export interface LoggerOptions {
  level?: LogLevel;
  /** Directory for agent.log (JSON lines); omit for terminal only. */
  dir?: string;
  maxBytes?: number;
  keep?: number;
  /** Terminal sink (default: process.stderr). */
  terminal?: { write(s: string): unknown } | null;
  /** Time source for stamps. */
  now?: () => number;
}

/** `TIME LEVEL message k=v …`: what administrators read on the terminal and in the journal. */
export function humanLine(jsonLine: string): string {
  const { time, level, msg, ...fields } = JSON.parse(jsonLine) as Record<string, unknown>;
  const extra = Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('');
  return `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extra}\n`;
}

/** The terminal as a log destination; a closed stderr drops the line. */
function terminalDestination(terminal: { write(s: string): unknown }): LogDestination {
  return {
    write(line: string): void {
      try {
        terminal.write(humanLine(line));
      } catch {
        // Logging must never take the daemon down.
      }
    },
  };
}

/** The agent's logger; never throws (a full disk must not crash the daemon). */
export function createAgentLogger(opts: LoggerOptions = {}): Logger {
  const terminal = opts.terminal === undefined ? process.stderr : opts.terminal;
  const streams: LogDestination[] = [];
  if (opts.dir) streams.push(new RotatingLogFile(path.join(opts.dir, 'agent.log'), opts.maxBytes ?? 1024 * 1024, opts.keep ?? 3));
  if (terminal) streams.push(terminalDestination(terminal));
  const level = opts.level ?? 'info';
  return createJsonLog(teeLogDestination(streams, level), { level, now: opts.now });
}
