// Which KMS data an agent has (client settings or host status) and which pushed events change it.
import { EventIds, type StatusResult } from '@vact/shared';

/** client: a KMS client key is installed; host: a KMS host key; null: neither. */
export function kmsRoleOf(st: StatusResult | null): 'client' | 'host' | null {
  if (!st) return null;
  if (st.keyType === 'kms-host') return 'host';
  if (st.keyType === 'kms-client') return 'client';
  if (st.keyType !== null) return null;
  return st.channel === 'KMS' || st.kms !== undefined ? 'client' : null;
}

/** Events after which the KMS sections are read again: host requests, client replies, key and interval changes. */
const KMS_EVENTS = new Set<number>([
  EventIds.hostLoggedRequest, EventIds.responseReceived, EventIds.keyInstalled, EventIds.keyUninstalled,
  EventIds.hostIntervalsApplied, EventIds.intervalsChanged, EventIds.activationSucceeded, EventIds.activationFailed,
]);

export function kmsRefreshWanted(eventId: number): boolean {
  return KMS_EVENTS.has(eventId);
}
