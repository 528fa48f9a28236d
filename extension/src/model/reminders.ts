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
