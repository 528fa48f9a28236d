// Temp files of atomic writes (`.NAME.PID.tmp`) outlive a kill -9 of their writer. On start the
// agent removes those whose writer is gone; a live writer's file is left alone.
import * as fs from 'node:fs';
import * as path from 'node:path';

const TEMP_FILE = /^\..+\.(\d+)\.tmp$/;

/** Whether process `pid` exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files of dead writers in `dir` (not recursive); returns the names removed. */
export function cleanStaleTempFiles(dir: string, isAlive: (pid: number) => boolean = processAlive): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      // Not ours to remove after all (permissions): leave it; it only costs a few bytes.
    }
  }
  return removed;
}
