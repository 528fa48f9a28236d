// Crash-safe whole-file replacement: a kill -9 at any instant leaves the old or the new content (DESIGN §7).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `data` to `file` via temp file + fsync + rename + fsync of the directory. */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(dir);
}

/** Makes a rename durable; some platforms cannot open directories, which is harmless there. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // EISDIR/EPERM on platforms without directory fsync: the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
