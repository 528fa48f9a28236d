// Notification fan-out with backpressure (how ws recommends it: watch bufferedAmount). A peer
// that stops reading would otherwise make the agent buffer every notification for it forever.

/** The part of a WebSocket the fan-out needs (ws.WebSocket has all of it). */
export interface FanOutTarget {
  readonly bufferedAmount: number;
  send(data: string, cb: (err?: Error) => void): void;
  terminate(): void;
}

/** Default limit of bytes queued for one peer before it is dropped as a slow consumer. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Sends `text` to every target; a target with more than `maxBufferedBytes` queued is terminated
 * instead (close frames would queue behind the backlog too). Returns the targets dropped.
 */
export function fanOut<T extends FanOutTarget>(targets: Iterable<T>, text: string, maxBufferedBytes: number, onSendError: (err: Error) => void): T[] {
  const dropped: T[] = [];
  for (const t of targets) {
    if (t.bufferedAmount + text.length > maxBufferedBytes) {
      dropped.push(t);
      t.terminate();
      continue;
    }
    t.send(text, (err) => {
      if (err) onSendError(err);
    });
  }
  return dropped;
}
