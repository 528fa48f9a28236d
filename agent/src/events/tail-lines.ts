// Reads a JSON-lines file from its end backwards in fixed-size chunks, so a query for the newest
// N events costs what those N lines weigh, not the whole (up to 5 MiB) log, and the async form
// never blocks the event loop for the whole read.
import * as fs from 'node:fs';

export const TAIL_CHUNK_BYTES = 64 * 1024;
const NL = 0x0a;

/** Splits chunks fed from the end of a file backwards into whole lines, newest first. */
class BackwardLineSplitter {
  private carry: Buffer = Buffer.alloc(0);

  /** `chunk` is the bytes just before everything fed so far; `atStart` when it begins the file. */
  feed(chunk: Buffer, atStart: boolean): string[] {
    const data = this.carry.length ? Buffer.concat([chunk, this.carry]) : chunk;
    const lines: string[] = [];
    let end = data.length;
    for (let i = data.length - 1; i >= 0; i--) {
      if (data[i] !== NL) continue;
      if (end > i + 1) lines.push(data.toString('utf8', i + 1, end));
      end = i;
    }
    // What precedes the first newline is the tail of a line that starts in an earlier chunk.
    this.carry = data.subarray(0, end);
    if (atStart && this.carry.length) {
      lines.push(this.carry.toString('utf8'));
      this.carry = Buffer.alloc(0);
    }
    return lines;
  }
}

/** Lines of `file` newest first, read in chunks; a missing file has none. Stop iterating to stop reading. */
export async function* linesFromEnd(file: string, chunkBytes = TAIL_CHUNK_BYTES): AsyncGenerator<string> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return;
  }
  try {
    const splitter = new BackwardLineSplitter();
    let pos = (await fh.stat()).size;
    const buf = Buffer.alloc(chunkBytes);
    while (pos > 0) {
      const len = Math.min(chunkBytes, pos);
      pos -= len;
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      yield* splitter.feed(Buffer.from(buf.subarray(0, bytesRead)), pos === 0);
    }
  } finally {
    await fh.close();
  }
}

/** The same, synchronously (for the one read at startup: the last sequence number). */
export function* linesFromEndSync(file: string, chunkBytes = TAIL_CHUNK_BYTES): Generator<string> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return;
  }
  try {
    const splitter = new BackwardLineSplitter();
    let pos = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(chunkBytes);
    while (pos > 0) {
      const len = Math.min(chunkBytes, pos);
      pos -= len;
      const bytesRead = fs.readSync(fd, buf, 0, len, pos);
      yield* splitter.feed(Buffer.from(buf.subarray(0, bytesRead)), pos === 0);
    }
  } finally {
    fs.closeSync(fd);
  }
}
