// The lifecycle's effects sorted into what the engine does with them, in one pass (pure).
import type { LifecycleEffect, LicenseStatus } from '@vact/shared/licensing';

/** The two kinds of contact the lifecycle asks for. */
export type Contact = 'contact-authority' | 'contact-kms';

/** One event-log record to append after the commit. */
export interface PendingEvent { id: number; message: string; data?: Record<string, unknown> }

/** What one step asks the engine to do. */
export interface PlannedEffects {
  events: PendingEvent[];
  reminders: { remainingMs: number; status: LicenseStatus }[];
  /** Why the CMID must be regenerated in this commit, or null. */
  regenerateCmid: 'rearm' | 'clone' | null;
  contacts: Contact[];
}

/** Sorts a step's effects; persisting is implicit (the engine persists every change). */
export function planEffects(effects: readonly LifecycleEffect[]): PlannedEffects {
  const plan: PlannedEffects = { events: [], reminders: [], regenerateCmid: null, contacts: [] };
  for (const eff of effects) {
    switch (eff.type) {
      case 'log':
        plan.events.push({ id: eff.eventId, message: eff.message, ...(eff.data ? { data: eff.data } : {}) });
        break;
      case 'reminder':
        plan.reminders.push({ remainingMs: eff.remainingMs, status: eff.status });
        break;
      case 'regenerate-cmid':
        plan.regenerateCmid = eff.reason;
        break;
      case 'contact-authority':
      case 'contact-kms':
        if (!plan.contacts.includes(eff.type)) plan.contacts.push(eff.type);
        break;
      case 'persist':
        break;
    }
  }
  return plan;
}
