// The one timer mechanism of the agent: named jobs ("lifecycle", later SRV refresh, count pruning),
// each armed for one time. Production wakes on the wall clock (one timer, or node-schedule for a
// wait longer than a timer holds); the simulated clock fires nothing by itself and `advance` walks
// the due jobs in time order.
import type * as NodeSchedule from 'node-schedule';
import type { Clock, Disposable, SimClock } from '@vact/shared/licensing';

/** What a job does when it fires; the sim driver waits for the returned promise before moving on. */
export type Job = () => Promise<void> | void;

/** Named one-shot jobs; arming a name again replaces its job. */
export interface KeyedScheduler {
  /** Arms `name` for `at` (ms since epoch), or disarms it when `at` is null. */
  schedule(name: string, at: number | null, job: Job): void;
  /** When `name` fires next, or null. */
  next(name: string): number | null;
  /** Jobs fired so far (the footprint benchmark: no polling while idle). */
  readonly fired: number;
  /** Disarms every job; nothing fires afterwards. */
  dispose(): void;
}

interface Armed { at: number; job: Job; cancel(): void }

/** setTimeout's longest wait (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

let nodeSchedule: typeof NodeSchedule | null = null;

/**
 * node-schedule, loaded on the first wait longer than a timer holds: at load it brings its cron
 * parser and luxon, and a job on a Date goes through both (and ICU's time-zone data), several MB of
 * an idle agent for waits (retries, reminders, renewals) that one timer serves.
 */
function loadNodeSchedule(): typeof NodeSchedule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  nodeSchedule ??= require('node-schedule') as typeof NodeSchedule;
  return nodeSchedule;
}

/**
 * Wall-clock jobs. A wait that fits one timer is the clock's timer (it re-arms if it wakes before
 * the wall clock reaches the time); a longer one (over 24.8 days) is node-schedule's.
 */
export class SystemScheduler implements KeyedScheduler {
  private readonly jobs = new Map<string, Armed>();
  private disposed = false;
  fired = 0;

  constructor(private readonly clock: Clock, private readonly onError: (name: string, err: unknown) => void) {}

  schedule(name: string, at: number | null, job: Job): void {
    this.jobs.get(name)?.cancel();
    this.jobs.delete(name);
    if (at === null || this.disposed) return;
    const fire = (): void => {
      if (this.jobs.get(name) !== armed) return;
      this.jobs.delete(name);
      this.fired++;
      Promise.resolve().then(job).catch((err: unknown) => this.onError(name, err));
    };
    const wait = at - this.clock.now();
    let timer: Disposable | null = null;
    let handle: NodeSchedule.Job | null = null;
    let immediate: NodeJS.Immediate | null = null;
    if (wait > MAX_TIMER_MS) handle = loadNodeSchedule().scheduleJob(new Date(at), fire);
    else if (wait > 0) timer = this.clock.setTimer(at, fire);
    // node-schedule returns null for a date that slipped into the past meanwhile.
    if (!handle && !timer) immediate = setImmediate(fire);
    const armed: Armed = {
      at, job,
      cancel: () => {
        timer?.dispose();
        handle?.cancel();
        if (immediate) clearImmediate(immediate);
      },
    };
    this.jobs.set(name, armed);
  }

  next(name: string): number | null {
    return this.jobs.get(name)?.at ?? null;
  }

  dispose(): void {
    this.disposed = true;
    for (const j of this.jobs.values()) j.cancel();
    this.jobs.clear();
  }
}

/** Simulated-clock jobs: nothing fires until `advance`, which runs them in time order. */
export class SimScheduler implements KeyedScheduler {
  private readonly jobs = new Map<string, { at: number; job: Job }>();
  private disposed = false;
  fired = 0;

  constructor(readonly clock: SimClock) {}

  schedule(name: string, at: number | null, job: Job): void {
    this.jobs.delete(name);
    if (at !== null && !this.disposed) this.jobs.set(name, { at, job });
  }

  next(name: string): number | null {
    return this.jobs.get(name)?.at ?? null;
  }

  /**
   * Moves the clock to `target`, firing each due job at its own time and awaiting it. It yields to
   * the event loop between jobs, so the control API keeps answering during a long advance.
   * `maxJobs` guards against a job that keeps re-arming itself for "now".
   */
  async advance(target: number, maxJobs = 200_000): Promise<number> {
    let count = 0;
    for (;;) {
      let due: [string, { at: number; job: Job }] | null = null;
      for (const e of this.jobs) if (e[1].at <= target && (!due || e[1].at < due[1].at)) due = e;
      if (!due || this.disposed) break;
      if (++count > maxJobs) throw new Error(`the scheduled jobs kept firing without time moving on (${maxJobs} jobs)`);
      const [name, { at, job }] = due;
      if (at > this.clock.now()) this.clock.advance(at - this.clock.now());
      this.jobs.delete(name);
      this.fired++;
      await job();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (target > this.clock.now()) this.clock.advance(target - this.clock.now());
    return count;
  }

  dispose(): void {
    this.disposed = true;
    this.jobs.clear();
  }
}
