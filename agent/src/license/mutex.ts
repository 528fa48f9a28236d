// Serialises state changes: timers, RPCs and background scans never interleave inside one change.
/** A FIFO lock over async sections. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` after every earlier section has finished. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }

  /** Resolves when every section queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
