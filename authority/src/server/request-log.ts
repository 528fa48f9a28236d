// Structured logs: one JSON line per request and per lifecycle event. Never tokens, never
// whole product keys (paths are redacted to the partial key), never database passwords.

export interface LogSink { write(line: string): unknown }

const KEY_IN_PATH = /([A-Za-z0-9]{5})-([A-Za-z0-9]{5})-([A-Za-z0-9]{5})-([A-Za-z0-9]{5})-([A-Za-z0-9]{5})/g;

/** The path as safe to log: product keys reduced to their last five characters. */
export function redactPath(p: string): string {
  let decoded = p;
  try { decoded = decodeURIComponent(p); } catch { /* keep the raw path */ }
  return decoded.replace(KEY_IN_PATH, (_m, _a, _b, _c, _d, e: string) => `*****-*****-*****-*****-${e}`);
}

export class JsonLineLogger {
  private buffer = '';
  private scheduled = false;
  constructor(private readonly sink: LogSink | null, private readonly now: () => number = Date.now) {}

  /**
   * Writes one event line; `fields` must hold nothing secret. Lines of one event-loop turn go
   * out in one write (stdout to a pipe is a synchronous syscall per write on Linux).
   */
  log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.sink) return;
    // The agent's log lines have the same shape: time (ISO 8601), level, msg, then the fields.
    const line: Record<string, unknown> = { time: new Date(this.now()).toISOString(), level, msg };
    for (const [k, v] of Object.entries(fields)) if (!(k in line)) line[k] = v;
    this.buffer += JSON.stringify(line) + '\n';
    if (this.buffer.length > 64 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes out buffered lines now. */
  flush(): void {
    this.scheduled = false;
    if (!this.buffer || !this.sink) return;
    const text = this.buffer;
    this.buffer = '';
    this.sink.write(text);
  }
}
