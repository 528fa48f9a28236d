// Tells the world what the license did: the JSON-lines event log, the operational log, and the
// control API's push notifications (state changes, reminders, every logged event).
import {
  EventIds, LicenseStatusCode, NotificationMethods, toWireTime,
  type AgentEvent, type Clock, type ControlNotification, type Edition, type LicenseStatus, type StatusResult,
} from '@vact/shared/licensing';
import { eventLine, type EventLog, type EventRecord } from '../events/event-log';
import type { Logger } from '../logging/logger';

/** The wire form of an event-log record. */
export function toAgentEvent(r: EventRecord): AgentEvent {
  return eventLine(r);
}

/** Owns the notification listeners; writes events with the agent clock's time. */
export class Announcer {
  private readonly listeners = new Set<(n: ControlNotification) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly events: EventLog,
    readonly logger: Logger,
    private readonly edition: Edition,
  ) {}

  /** Appends to the event log and pushes `event.logged`; never throws. */
  log(id: number, message: string, data?: Record<string, unknown>): void {
    try {
      const rec = this.events.append({ time: this.clock.now(), id, message, ...(data ? { data } : {}) });
      this.notify({ method: NotificationMethods.eventLogged, params: { event: toAgentEvent(rec) } });
    } catch (err) {
      this.logger.error('cannot write the event log', { error: (err as Error).message });
    }
  }

  /** A grace reminder: event 12300-range log line, operational log, and a `reminder` push. */
  remind(remainingMs: number, status: LicenseStatus, deadline: number | null): void {
    const days = Math.floor(remainingMs / 86_400_000);
    const hours = Math.floor((remainingMs % 86_400_000) / 3_600_000);
    const message = status === 'Notification'
      ? `${this.edition.name} is not activated: the grace period has ended. Activate it now.`
      : `${this.edition.name} is not activated: ${days} day(s) ${hours} hour(s) of grace remain.`;
    this.log(EventIds.reminder, message, { status, remainingMs });
    this.logger.info(message);
    this.notify({
      method: NotificationMethods.reminder,
      params: { status, statusCode: LicenseStatusCode[status], deadline: toWireTime(deadline), remainingMs, message, at: toWireTime(this.clock.now()) },
    });
  }

  /** A license status change. */
  statusChanged(previous: LicenseStatus, status: StatusResult, reason: string): void {
    this.log(EventIds.statusChanged, `license status changed from ${previous} to ${status.status}`, { previous, status: status.status, reason });
    this.logger.info(`license status: ${previous} -> ${status.status}`, { reason });
    this.notify({ method: NotificationMethods.stateChanged, params: { previous, status, reason } });
  }

  /** Registers a notification listener (the control server's fan-out). */
  onNotification(listener: (n: ControlNotification) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private notify(n: ControlNotification): void {
    for (const l of this.listeners) {
      try {
        l(n);
      } catch (err) {
        this.logger.warn('notification listener failed', { error: (err as Error).message });
      }
    }
  }
}
