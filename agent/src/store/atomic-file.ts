// Crash-safe whole-file replacement: a kill -9 at any instant leaves the old or the new content (DESIGN §7).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The temp file a writer in this process uses for `file`; `cleanStaleTempFiles` knows the pattern. */
export function tempPathFor(file: string, pid = process.pid): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${pid}.tmp`);
}

/** Writes and fsyncs the temp file of `file`; removes it again if that fails. */
function writeTemp(file: string, data: string | Uint8Array, mode: number): string {
  const tmp = tempPathFor(file);
  try {
    const fd = fs.openSync(tmp, 'w', mode);
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}

/** Writes `data` to `file` via temp file + fsync + rename + fsync of the directory. */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): void {
  const tmp = writeTemp(file, data, mode);
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/**
 * Creates `file` with `data` unless it exists: the whole content appears at once or not at all,
 * and a file another process created first is never replaced. Returns false when it existed.
 */
export function createFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): boolean {
  const tmp = writeTemp(file, data, mode);
  try {
    // link(2) is atomic and, unlike rename, refuses an existing target.
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
    fsyncDir(path.dirname(file));
  }
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
