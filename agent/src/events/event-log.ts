// The activation event log (DESIGN §8): JSON lines in D, rotated by size, queried by time and id.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rotateFiles } from '../logging/file-rotation';
import { fsyncDir } from '../store/atomic-file';
import { linesFromEnd, linesFromEndSync } from './tail-lines';
import { eventLevel } from './event-level';
import type { AgentEvent } from '@vact/shared/licensing';

/** One logged event. `time` is the agent clock (sim or system) in ms since epoch. */
export interface EventRecord {
  /** Sequence number, increasing over the log's whole life (survives rotation and restarts). */
  seq: number;
  time: number;
  id: number;
  message: string;
  data?: Record<string, unknown>;
}

/** Filter for `query`; all fields optional. */
export interface EventQuery {
  since?: number;
  until?: number;
  ids?: number[];
  /** Newest N matches (default 1000). */
  limit?: number;
}

export interface EventLogOptions {
  fileName?: string;
  maxBytes?: number;
  /** Rotated files kept besides the live one. */
  keep?: number;
}

/** Appends events synchronously and fsyncs them (so an event is on disk before the action is acknowledged). */
export class EventLog {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private seq: number;
  private size: number;
  /** The file ends in a line torn by a crash: the next append starts a new line first. */
  private torn: boolean;

  constructor(readonly dir: string, opts: EventLogOptions = {}) {
    this.file = path.join(dir, opts.fileName ?? 'events.jsonl');
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.keep = opts.keep ?? 4;
    this.size = fileSize(this.file);
    this.torn = endsTorn(this.file, this.size);
    this.seq = this.lastSeq();
  }

  /** Appends one event and returns it with its sequence number. */
  append(e: Omit<EventRecord, 'seq'>): EventRecord {
    const rec: EventRecord = { seq: ++this.seq, time: e.time, id: e.id, message: e.message, ...(e.data ? { data: e.data } : {}) };
    let line = `${JSON.stringify(eventLine(rec))}\n`;
    if (this.size > 0 && this.size + Buffer.byteLength(line) > this.maxBytes) this.rotate();
    if (this.torn) line = `\n${line}`;
    const created = this.size === 0;
    const fd = fs.openSync(this.file, 'a', 0o600);
    try {
      fs.writeSync(fd, line);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (created) fsyncDir(this.dir);
    this.torn = false;
    this.size += Buffer.byteLength(line);
    return rec;
  }

  /**
   * Matching events (newest `limit`, oldest first), read from the end of the log backwards in
   * chunks without blocking the event loop; it stops as soon as it has `limit` matches.
   */
  async queryAsync(q: EventQuery = {}): Promise<EventRecord[]> {
    const match = matcher(q);
    const limit = q.limit ?? 1000;
    const out: EventRecord[] = [];
    for (const f of this.files().reverse()) {
      for await (const line of linesFromEnd(f)) {
        const rec = parseLine(line);
        if (rec && match(rec)) out.push(rec);
        if (out.length >= limit) return out.reverse();
      }
    }
    return out.reverse();
  }

  /** Same as `queryAsync`, but synchronous; the control API should use `queryAsync`. */
  query(q: EventQuery = {}): EventRecord[] {
    const match = matcher(q);
    const limit = q.limit ?? 1000;
    const out: EventRecord[] = [];
    for (const f of this.files().reverse()) {
      for (const line of linesFromEndSync(f)) {
        const rec = parseLine(line);
        if (rec && match(rec)) out.push(rec);
        if (out.length >= limit) return out.reverse();
      }
    }
    return out.reverse();
  }

  /** Rotated files oldest first, then the live file. */
  private files(): string[] {
    const out: string[] = [];
    for (let i = this.keep; i >= 1; i--) out.push(this.rotated(i));
    out.push(this.file);
    return out.filter((f) => fs.existsSync(f));
  }

  private rotated(i: number): string {
    return this.file.replace(/\.jsonl$/, '') + `.${i}.jsonl`;
  }

  private rotate(): void {
    rotateFiles(this.file, (i) => this.rotated(i), this.keep);
    this.size = 0;
  }

  private lastSeq(): number {
    for (const f of this.files().reverse()) {
      for (const line of linesFromEndSync(f)) {
        const rec = parseLine(line);
        if (rec) return rec.seq;
      }
    }
    return 0;
  }
}

function matcher(q: EventQuery): (rec: EventRecord) => boolean {
  const ids = q.ids && q.ids.length > 0 ? new Set(q.ids) : null;
  return (rec) => (q.since === undefined || rec.time >= q.since) && (q.until === undefined || rec.time <= q.until) && (!ids || ids.has(rec.id));
}

function fileSize(f: string): number {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
}

/** Whether the last byte of a non-empty `file` is not a newline (a crash tore the last append). */
function endsTorn(file: string, size: number): boolean {
  if (size === 0) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A record as one line of events.jsonl: the same fields, names and ISO time as an event of the
 * control API (`vact events --json`): seq, eventId, time, level, message, data.
 */
export function eventLine(r: EventRecord): AgentEvent {
  return { seq: r.seq, eventId: r.id, time: new Date(r.time).toISOString(), level: eventLevel(r.id), message: r.message, ...(r.data ? { data: r.data } : {}) };
}

/**
 * One record, or null for a line torn by a crash mid-append (the rest of the log stays readable).
 * Lines of earlier versions ({seq, time: ms, id, …}) are read too.
 */
function parseLine(line: string): EventRecord | null {
  try {
    const j = JSON.parse(line) as Record<string, unknown>;
    if (typeof j !== 'object' || j === null || typeof j['seq'] !== 'number' || typeof j['message'] !== 'string') return null;
    const id = typeof j['eventId'] === 'number' ? j['eventId'] : j['id'];
    const time = typeof j['time'] === 'string' ? Date.parse(j['time']) : j['time'];
    if (typeof id !== 'number' || typeof time !== 'number' || !Number.isFinite(time)) return null;
    const data = j['data'];
    return { seq: j['seq'], time, id, message: j['message'], ...(typeof data === 'object' && data !== null ? { data: data as Record<string, unknown> } : {}) };
  } catch {
    return null;
  }
}
