// Wakes the lifecycle at its next due time and never otherwise (no polling while idle).
import * as schedule from 'node-schedule';
import type { Clock } from '@vact/shared';

/** One pending wake at a time; re-arming replaces it. */
export interface WakeScheduler {
  /** Arms the wake for `at` (ms since epoch), or disarms when null. */
  wakeAt(at: number | null): void;
  /** The armed time, or null. */
  readonly next: number | null;
  /** Wakes actually fired (for the footprint benchmark). */
  readonly fired: number;
  dispose(): void;
}

/** Production: a node-schedule job at the wall-clock time (handles waits longer than setTimeout's 24.8 days). */
export class NodeScheduleWake implements WakeScheduler {
  private job: schedule.Job | null = null;
  private immediate: NodeJS.Immediate | null = null;
  next: number | null = null;
  fired = 0;

  constructor(private readonly clock: Clock, private readonly onWake: () => void) {}

  wakeAt(at: number | null): void {
    this.cancel();
    this.next = at;
    if (at === null) return;
    const fire = (): void => {
      this.job = null;
      this.immediate = null;
      this.next = null;
      this.fired++;
      this.onWake();
    };
    if (at <= this.clock.now()) {
      this.immediate = setImmediate(fire);
    } else {
      this.job = schedule.scheduleJob(new Date(at), fire);
      // node-schedule returns null for a date that slipped into the past meanwhile.
      if (!this.job) this.immediate = setImmediate(fire);
    }
  }

  private cancel(): void {
    this.job?.cancel();
    this.job = null;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
  }

  dispose(): void {
    this.cancel();
    this.next = null;
  }
}

/** Simulated clock: nothing fires by itself; `clock.advance` walks the wakes in order (see Agent.advanceClock). */
export class SimWake implements WakeScheduler {
  next: number | null = null;
  fired = 0;
  wakeAt(at: number | null): void {
    this.next = at;
  }
  /** Counts a wake the driver delivered. */
  markFired(): void {
    this.fired++;
    this.next = null;
  }
  dispose(): void {
    this.next = null;
  }
}
