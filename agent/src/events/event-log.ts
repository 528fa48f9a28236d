// The activation event log (DESIGN §8): JSON lines in D, rotated by size, queried by time and id.
import * as fs from 'node:fs';
import { rotateFiles } from '../logging/file-rotation';
import * as path from 'node:path';

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

/** Appends events synchronously (so an event is on disk before the action is acknowledged). */
export class EventLog {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private seq: number;
  private size: number;

  constructor(readonly dir: string, opts: EventLogOptions = {}) {
    this.file = path.join(dir, opts.fileName ?? 'events.jsonl');
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.keep = opts.keep ?? 4;
    this.size = fileSize(this.file);
    this.seq = this.lastSeq();
  }

  /** Appends one event and returns it with its sequence number. */
  append(e: Omit<EventRecord, 'seq'>): EventRecord {
    const rec: EventRecord = { seq: ++this.seq, time: e.time, id: e.id, message: e.message, ...(e.data ? { data: e.data } : {}) };
    const line = `${JSON.stringify(rec)}\n`;
    if (this.size > 0 && this.size + Buffer.byteLength(line) > this.maxBytes) this.rotate();
    fs.appendFileSync(this.file, line, { mode: 0o600 });
    this.size += Buffer.byteLength(line);
    return rec;
  }

  /** Matching events, oldest first. */
  query(q: EventQuery = {}): EventRecord[] {
    const limit = q.limit ?? 1000;
    const ids = q.ids && q.ids.length > 0 ? new Set(q.ids) : null;
    const out: EventRecord[] = [];
    for (const f of this.files()) {
      for (const rec of readLines(f)) {
        if (q.since !== undefined && rec.time < q.since) continue;
        if (q.until !== undefined && rec.time > q.until) continue;
        if (ids && !ids.has(rec.id)) continue;
        out.push(rec);
      }
    }
    return out.slice(Math.max(0, out.length - limit));
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
      const recs = readLines(f);
      if (recs.length > 0) return recs[recs.length - 1].seq;
    }
    return 0;
  }
}

function fileSize(f: string): number {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
}

/** Parses a log file, skipping a torn last line left by a crash. */
function readLines(f: string): EventRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(f, 'utf8');
  } catch {
    return [];
  }
  const out: EventRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const rec = JSON.parse(line) as EventRecord;
      if (typeof rec.seq === 'number' && typeof rec.time === 'number' && typeof rec.id === 'number') out.push(rec);
    } catch {
      // A line torn by a crash mid-append: skip it, the rest of the log stays readable.
    }
  }
  return out;
}
