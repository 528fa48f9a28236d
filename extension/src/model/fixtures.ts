// Snapshots and statuses for the unit tests (not shipped: only tests import this file).
import type { StatusResult } from '@vact/shared';
import type { AgentSnapshot } from '../agents/agent-connection';

const NOW = '2026-12-01T10:00:00.000Z';
const DAY = 86_400_000;

export function status(patch: Partial<StatusResult> = {}): StatusResult {
  return {
    status: 'InitialGrace', statusCode: 2, edition: 'client-enterprise', editionName: 'vact Client Enterprise', product: 'client',
    description: 'vact Client Enterprise, VOLUME_KMSCLIENT channel', channel: 'KMS', keyType: 'kms-client', keyGroup: 'client-vl', partialKey: 'ABCDE',
    cmid: '0123456789abcdef0123456789abcdef', hardwareHash: 'hh', graceEndsAt: new Date(Date.parse(NOW) + 12 * DAY).toISOString(), validUntil: null,
    lastActivatedAt: null, remainingMs: 12 * DAY + 3_600_000, remainingRearms: 3, lastError: null, nextAttemptAt: null,
    intervals: { activationMinutes: 120, renewalMinutes: 10080, source: 'default' }, now: NOW, trustedTime: NOW, clock: 'sim',
    ...patch,
  };
}

export function snapshot(name: string, patch: Partial<AgentSnapshot> = {}, st: Partial<StatusResult> | null = {}): AgentSnapshot {
  return { config: { id: name, name, url: `ws://127.0.0.1:1/${name}` }, kind: 'online', role: 'admin', status: st === null ? null : status(st), error: null, events: [], ...patch };
}

export { DAY, NOW };
