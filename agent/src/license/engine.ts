// The sole owner of the agent's license state: every change is one lifecycle step under one
// lock, persisted before it is acknowledged, then announced. The engine never touches the
// network: it returns the contacts a step asks for, and the activation runner makes them.
import { randomBytes } from 'node:crypto';
import { EventIds, step, type CatalogueRules, type Clock, type LifecycleEvent, type StatusResult } from '@vact/shared/licensing';
import type { AgentState, StateFile } from '../store/state-file';
import { Mutex } from './mutex';
import type { Announcer } from './announcer';
import { planEffects, type Contact } from './effects';
import { deadlineOf } from './status-view';

/** A 128-bit client machine id as 32 hex chars. */
export function newCmid(): string {
  return randomBytes(16).toString('hex');
}

/** The state as JSON without its revision counter: equal for states that differ only in revision. */
function contentOf(state: AgentState): string {
  const copy: Partial<AgentState> = { ...state };
  delete copy.revision;
  return JSON.stringify(copy);
}

/** The state without the times a tick moves by itself (the trusted time, the sim clock's now). */
function contentWithoutTime(state: AgentState): string {
  return contentOf({ ...state, lifecycle: { ...state.lifecycle, trustedNow: 0 }, clock: { ...state.clock, simNow: null } });
}

/**
 * A step that only moved the clock is written when the time has moved this far since the last
 * write: the trusted time on disk lags by at most this much (a restart's rollback guard starts
 * from it), and advancing a simulated clock does not fsync on every step.
 */
export const TIME_ONLY_PERSIST_MS = 6 * 3600_000;

export interface EngineDeps {
  stateFile: StateFile;
  clock: Clock;
  rules: CatalogueRules;
  announcer: Announcer;
  /** The status result for a state-change notification. */
  statusOf: (state: AgentState) => StatusResult;
  /** Arms the lifecycle wake at the step's nextWake. */
  wakeAt: (at: number | null) => void;
  /** Applied to every state before it is committed: how the installed key is kept (license/key-custody.ts). */
  keepKey?: ((before: AgentState, next: AgentState) => void) | undefined;
  /** Hook for tests: called after every persisted state change. */
  onPersist?: ((state: AgentState) => void) | undefined;
}

export class LicenseEngine {
  private readonly mutex = new Mutex();
  private current: AgentState;
  /** What is on disk (current may be ahead of it by a time-only step). */
  private persisted: AgentState;
  private stopped = false;

  constructor(initial: AgentState, private readonly deps: EngineDeps) {
    this.current = initial;
    this.persisted = initial;
  }

  /** The current state (read-only; replaced on every change). */
  get state(): AgentState {
    return this.current;
  }

  /** Runs `fn` under the state lock. Never hold it across network I/O. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.mutex.run(fn);
  }

  /** Stops arming wakes, waits for the running change to finish, and writes a time-only change still pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.wakeAt(null);
    await this.mutex.idle();
    if (this.current !== this.persisted && contentOf(this.current) !== contentOf(this.persisted)) {
      await this.mutex.run(() => {
        const next = { ...this.current, revision: this.persisted.revision + 1 };
        this.persistAsIs(next);
      });
    }
  }

  /** The trusted time: never earlier than the highest time seen, so a clock set back extends nothing. */
  trustedNow(): number {
    return Math.max(this.deps.clock.now(), this.current.lifecycle.trustedNow);
  }

  /** Writes a state as it is (the first start); the caller holds the lock. */
  persistAsIs(next: AgentState): void {
    this.deps.stateFile.save(next);
    this.current = next;
    this.persisted = next;
    this.deps.onPersist?.(next);
  }

  /**
   * One lifecycle step and its effects, under the lock: persists first (a success is never
   * acknowledged before it is on disk), then logs, reminds, notifies and re-arms the wake.
   * Throws the step's VactError with nothing changed. Returns the contacts to make.
   */
  apply(event: LifecycleEvent, reason: string, mutate?: (s: AgentState) => void): Contact[] {
    const before = this.current;
    const { clock } = this.deps;
    // The raw clock goes in: the lifecycle itself detects (and logs, 12411) a clock set backwards.
    const res = step(before.lifecycle, event, clock.now(), this.deps.rules);
    const next: AgentState = { ...before, lifecycle: res.state, hardware: { ...before.hardware }, clock: { ...before.clock } };
    mutate?.(next);
    this.deps.keepKey?.(before, next);
    const plan = planEffects(res.effects);
    if (plan.regenerateCmid) {
      const previousCmid = next.cmid;
      next.cmid = newCmid();
      plan.events.push({ id: EventIds.cmidRegenerated, message: `CMID regenerated (${plan.regenerateCmid})`, data: { reason: plan.regenerateCmid, previousCmid, cmid: next.cmid } });
    }
    if (next.lifecycle.status !== 'Licensed' && before.lifecycle.status === 'Licensed' && event.type !== 'activation-succeeded') {
      // A ticket only stands for the activation it came from.
      next.ticket = next.ticket === before.ticket ? null : next.ticket;
    }
    if (clock.kind === 'sim') next.clock.simNow = clock.now();
    this.commit(next);
    const { announcer } = this.deps;
    for (const e of plan.events) announcer.log(e.id, e.message, e.data);
    for (const r of plan.reminders) announcer.remind(r.remainingMs, r.status, deadlineOf(this.current.lifecycle));
    if (before.lifecycle.status !== next.lifecycle.status) announcer.statusChanged(before.lifecycle.status, this.deps.statusOf(this.current), reason);
    this.deps.wakeAt(this.stopped ? null : res.nextWake);
    return plan.contacts;
  }

  /** Persists `next` if anything changed and makes it current. */
  private commit(next: AgentState): void {
    if (this.current.revision > 0) {
      if (contentOf(this.current) === contentOf(next)) {
        this.current = next;
        return;
      }
      if (contentWithoutTime(this.persisted) === contentWithoutTime(next)
        && next.lifecycle.trustedNow - this.persisted.lifecycle.trustedNow < TIME_ONLY_PERSIST_MS) {
        this.current = { ...next, revision: this.persisted.revision };
        return;
      }
    }
    next.revision = this.persisted.revision + 1;
    this.persistAsIs(next);
  }
}
