// A binary min-heap of timed simulation events; ties run in the order they were queued.

interface Entry<T> { t: number; seq: number; item: T }

/** Events ordered by time, then by insertion. */
export class EventQueue<T> {
  private heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Queues `item` at time `t`. */
  push(t: number, item: T): void {
    const h = this.heap;
    h.push({ t, seq: this.seq++, item });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  /** The time of the next event, or Infinity. */
  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0].t : Infinity;
  }

  /** Removes and returns the next event. */
  pop(): { t: number; item: T } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return { t: top.t, item: top.item };
  }
}

function less<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
