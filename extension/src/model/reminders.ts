// At most one notification per agent per reminder slot: a slot is the reminder's deadline and
// the hour it was sent in (hourly reminders on the final day each get their own slot).

export class ReminderGate {
  private readonly seen = new Map<string, string>();

  /** True the first time an agent's reminder for this slot is seen. */
  admit(agentId: string, reminder: { deadline: string | null; at: string }): boolean {
    const slot = `${reminder.deadline ?? '-'}|${reminder.at.slice(0, 13)}`;
    if (this.seen.get(agentId) === slot) return false;
    this.seen.set(agentId, slot);
    return true;
  }
}

/**
 * Coalesces a burst of reminders from one agent (an agent catching up on missed slots after a
 * restart or a clock jump pushes one per slot) into one notification: the latest, once the
 * agent has been quiet for `quietMs`. A simulated clock moved forward steps from wake to wake,
 * persisting each, so its reminders can come a few hundred milliseconds apart: the default
 * window is well above that.
 */
export class ReminderCoalescer<R> {
  private readonly pending = new Map<string, { latest: R; timer: { dispose(): void } }>();

  constructor(
    private readonly show: (agentId: string, reminder: R) => void,
    private readonly setTimer: (fn: () => void, ms: number) => { dispose(): void },
    private readonly quietMs = 1500,
  ) {}

  push(agentId: string, reminder: R): void {
    this.pending.get(agentId)?.timer.dispose();
    const timer = this.setTimer(() => {
      this.pending.delete(agentId);
      this.show(agentId, reminder);
    }, this.quietMs);
    this.pending.set(agentId, { latest: reminder, timer });
  }

  dispose(): void {
    for (const p of this.pending.values()) p.timer.dispose();
    this.pending.clear();
  }
}
