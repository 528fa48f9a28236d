// Persists the KMS host's count and client register so they survive restarts (DESIGN §7:
// a kill -9 loses at most the last second of requests). Writes are atomic (temp, fsync, rename) and
// batched: a storm of requests costs one write per second, not one per request.
import * as fs from 'node:fs';
import { emptyHostCount, kmsHostFileOf, parseKmsHostFile, type KmsHostState } from '@vact/shared/kms';
import { VactError, type Clock, type Disposable } from '@vact/shared/licensing';
import { writeFileAtomic } from '../../store/atomic-file';

/** At most one write per this many ms. */
export const COUNT_FLUSH_INTERVAL_MS = 1000;

/** Reads the persisted state; a missing file is a fresh host. STATE_CORRUPT names the bad field (unknown keys included). */
export function loadHostState(file: string): KmsHostState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { count: emptyHostCount(), clients: new Map() };
    throw new VactError('STATE_CORRUPT', `${file}: ${(err as Error).message}`, { file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new VactError('STATE_CORRUPT', `${file} is not JSON`, { file });
  }
  return parseKmsHostFile(doc, file);
}

/** Keeps the latest state and writes it at most once a second; flush() and dispose() write at once. */
export class CountStore implements Disposable {
  private pending: KmsHostState | undefined;
  private timer: Disposable | undefined;
  private lastWrite = -Infinity;
  /** Write failures are reported, not thrown: the host keeps serving from memory. */
  lastError: Error | undefined;

  constructor(private readonly file: string, private readonly clock: Clock, private readonly onError?: (err: Error) => void) {}

  /** Records the new state; it reaches the disk within a second. */
  update(state: KmsHostState): void {
    this.pending = state;
    if (this.timer) return;
    const at = Math.max(this.clock.now(), this.lastWrite + COUNT_FLUSH_INTERVAL_MS);
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined;
      this.flush();
    });
  }

  /** Writes the pending state now (if any). */
  flush(): void {
    this.timer?.dispose();
    this.timer = undefined;
    const state = this.pending;
    if (!state) return;
    this.pending = undefined;
    this.lastWrite = this.clock.now();
    try {
      writeFileAtomic(this.file, JSON.stringify(kmsHostFileOf(state)), 0o600);
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err as Error;
      this.pending ??= state; // try again with the next update
      this.onError?.(err as Error);
    }
  }

  dispose(): void {
    this.flush();
  }
}
