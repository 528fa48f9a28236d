// One agent per state dir: `agent.lock` names the process that holds the dir (pid and its start
// time, so a pid reused by another process after a crash is not mistaken for the agent).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VactError } from '@vact/shared/licensing';
import { createFileAtomic, fsyncDir } from './atomic-file';

export const LOCK_FILE = 'agent.lock';

/** What the lock file records. */
export interface LockHolder {
  pid: number;
  /** The kernel's start time of that process (Linux /proc), or null where the platform has none. */
  processStart: string | null;
  startedAt: string;
}

/** The start time of process `pid` as the kernel counts it, or null (not Linux, gone, or a zombie). */
export function processStartOf(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name "(…)", which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  return fields[19] ?? null;
}

/** Is the process that wrote `holder` still running? */
export function holderAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (fs.existsSync('/proc/self/stat')) {
    const now = processStartOf(holder.pid);
    if (now === null) return false;
    if (holder.processStart !== null && now !== holder.processStart) return false;
  }
  return true;
}

/** The lock's holder as recorded, or null when there is no (readable, well-formed) lock file. */
export function readLock(dir: string): LockHolder | null {
  return readLockFile(path.join(dir, LOCK_FILE));
}

function readLockFile(file: string): LockHolder | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const j = JSON.parse(text) as Partial<LockHolder>;
    if (typeof j.pid !== 'number' || !Number.isInteger(j.pid) || j.pid <= 0) return null;
    return { pid: j.pid, processStart: typeof j.processStart === 'string' ? j.processStart : null, startedAt: String(j.startedAt ?? '') };
  } catch {
    return null;
  }
}

/** A held lock; `release()` removes the file if it is still this process's. */
export interface StateDirLock {
  readonly file: string;
  release(): void;
}

function inUse(dir: string, pid: number): VactError {
  return new VactError('STATE_DIR_IN_USE', `state dir ${dir} is in use by PID ${pid}`, { stateDir: dir, pid });
}

/**
 * Takes the lock on `dir` (which must exist) or throws STATE_DIR_IN_USE naming the holder; a lock
 * left by a dead process is replaced. Writes nothing when it refuses.
 */
export function acquireStateDirLock(dir: string): StateDirLock {
  const file = path.join(dir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, processStart: processStartOf(process.pid), startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createFileAtomic(file, text, 0o600)) {
      return {
        file,
        release(): void {
          if (readLock(dir)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    }
    const holder = readLock(dir);
    if (holder && holder.pid !== process.pid && holderAlive(holder)) throw inUse(dir, holder.pid);
    breakStaleLock(file);
  }
  throw new VactError('STATE_DIR_IN_USE', `state dir ${dir}: its lock ${file} keeps changing (another agent is starting there)`, { stateDir: dir });
}

/**
 * Removes a stale lock without removing one another starter just made: the file is first moved
 * aside (atomic), and put back if what was moved turns out to be a live holder's.
 */
function breakStaleLock(file: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readLockFile(aside);
  if (moved && holderAlive(moved)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a newer lock is already in place
    }
  }
  fs.rmSync(aside, { force: true });
  fsyncDir(path.dirname(file));
}
