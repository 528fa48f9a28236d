// Severity shown for an event id (the control API and the extension timeline colour by it).
import { AgentEventIds } from './agent-event-ids';

const ERRORS = new Set<number>([AgentEventIds.activationFailed, AgentEventIds.ticketRejected, AgentEventIds.offlineRefused, AgentEventIds.hardwareScanFailed]);
const WARNINGS = new Set<number>([AgentEventIds.reminder, AgentEventIds.hardwareOutOfTolerance, AgentEventIds.clockRollback, AgentEventIds.cmidRegenerated]);

/** 'error' | 'warning' | 'info' for an event id. */
export function eventLevel(id: number): 'info' | 'warning' | 'error' {
  return ERRORS.has(id) ? 'error' : WARNINGS.has(id) ? 'warning' : 'info';
}
