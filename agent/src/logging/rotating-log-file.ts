// agent.log as a pino destination: appended synchronously (a line is on disk when the call
// returns), shifted to agent.log.1 … agent.log.N once it would pass its size.
import * as fs from 'node:fs';
import { rotateFiles } from './file-rotation';

/** A size-rotated JSON-lines file; a failed write (full disk) drops the line, never throws. */
export class RotatingLogFile {
  private size: number;

  constructor(private readonly file: string, private readonly maxBytes: number, private readonly keep: number) {
    try {
      this.size = fs.statSync(file).size;
    } catch {
      this.size = 0;
    }
  }

  write(line: string): void {
    try {
      const bytes = Buffer.byteLength(line);
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        rotateFiles(this.file, (i) => `${this.file}.${i}`, this.keep);
        this.size = 0;
      }
      fs.appendFileSync(this.file, line, { mode: 0o600 });
      this.size += bytes;
    } catch {
      // Logging must never take the daemon down (full disk, removed directory).
    }
  }
}
