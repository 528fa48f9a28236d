// The machine's clock: the one Clock with platform timers (setTimeout), so it lives in the Node part.
import { checkTimerAt, type Clock, type Disposable } from '../clock/clock';

/** setTimeout's largest delay (2^31 - 1 ms, about 24.8 days); longer waits are re-armed in steps. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The machine's clock; timers are setTimeout, re-armed until the wall clock really reaches `at`. */
export class SystemClock implements Clock {
  readonly kind = 'system' as const;

  now(): number {
    return Date.now();
  }

  setTimer(at: number, fn: () => void): Disposable {
    checkTimerAt(at);
    let handle: NodeJS.Timeout | null = null;
    let disposed = false;
    const arm = (): void => {
      const delay = at - Date.now();
      if (delay <= 0) {
        handle = null;
        if (!disposed) {
          disposed = true;
          fn();
        }
        return;
      }
      // Waking early is harmless (we re-check); a wall clock moved back just re-arms.
      handle = setTimeout(arm, Math.min(delay, MAX_TIMEOUT_MS));
    };
    handle = setTimeout(arm, Math.min(Math.max(0, at - Date.now()), MAX_TIMEOUT_MS));
    return {
      dispose: () => {
        disposed = true;
        if (handle) clearTimeout(handle);
        handle = null;
      },
    };
  }
}

