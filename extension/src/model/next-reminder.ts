// When the agent's next reminder is due. The status does not carry it; the shared reminder rules
// compute it from what the status does carry (state, grace end, the last reminder slot).
import { nextReminderAt, type LifecycleState, type StatusResult } from '@vact/shared';

const t = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

/** The next reminder slot (ms, agent clock) or null when none is scheduled (Licensed, Unlicensed). */
export function nextReminder(st: StatusResult): number | null {
  const now = Date.parse(st.now);
  const lastReminderAt = t(st.details?.lastReminderAt);
  const state: LifecycleState = {
    edition: st.edition,
    key: null,
    status: st.status,
    graceEndsAt: t(st.graceEndsAt),
    channel: st.channel,
    validUntil: t(st.validUntil),
    lastActivatedAt: t(st.lastActivatedAt),
    remainingRearms: st.remainingRearms,
    intervals: st.intervals,
    nextAttemptAt: t(st.nextAttemptAt),
    failures: st.details?.failures ?? 0,
    lastError: null,
    lastReminderAt,
    trustedNow: Date.parse(st.trustedTime),
    // Notification's daily reminders are anchored where it began; its first reminder is sent then,
    // so the last reminder slot stands in for the anchor (or now, before the first one).
    notificationSince: st.status === 'Notification' ? (lastReminderAt ?? now) : null,
  };
  return nextReminderAt(state, now);
}
