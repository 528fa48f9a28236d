// Severity shown for an event id (the control API and the extension timeline colour by it).
import { EventIds } from '@vact/shared/licensing';

const ERRORS = new Set<number>([EventIds.activationFailed, EventIds.ticketRejected, EventIds.offlineRefused, EventIds.hardwareScanFailed]);
const WARNINGS = new Set<number>([EventIds.reminder, EventIds.hardwareOutOfTolerance, EventIds.clockRollback, EventIds.cmidRegenerated]);

/** 'error' | 'warning' | 'info' for an event id. */
export function eventLevel(id: number): 'info' | 'warning' | 'error' {
  return ERRORS.has(id) ? 'error' : WARNINGS.has(id) ? 'warning' : 'info';
}

/** The ids of the events at `level` or above, or null for every event (level info). */
export function idsAtLeast(level: 'info' | 'warning' | 'error'): number[] | null {
  if (level === 'info') return null;
  return level === 'error' ? [...ERRORS] : [...WARNINGS, ...ERRORS];
}
