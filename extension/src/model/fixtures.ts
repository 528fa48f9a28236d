// Snapshots and statuses for the unit tests (not shipped: only tests import this file).
import type { HostClientsResult, HostStatusResult, KmsShowResult, StatusResult } from '@vact/shared';
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
  return { config: { id: name, name, url: `ws://127.0.0.1:1/${name}` }, kind: 'online', role: 'admin', status: st === null ? null : status(st), error: null, events: [], kms: null, host: null, ...patch };
}

export { DAY, NOW };

export function kmsShow(patch: Partial<KmsShowResult> = {}): KmsShowResult {
  return {
    hostSource: 'static', staticHost: 'kms1.lab:1688', domains: ['lab.example'], domainsFrom: 'flags', dnsServer: null, cachedHost: 'kms1.lab:1688', cachedHostSource: 'static',
    lastCount: 5, threshold: 25, intervals: { activationMinutes: 120, renewalMinutes: 10080, source: 'host' }, nextAttemptAt: '2026-12-01T12:00:00.000Z', nextAttemptKind: 'retry',
    validUntil: null, hostPort: 1688, ...patch,
  };
}

export function hostStatus(patch: Partial<HostStatusResult> = {}): HostStatusResult {
  return {
    activated: true, hostStatus: 'Licensed', listening: '0.0.0.0:1688', count: 3, cacheSize: 50, highestThreshold: 25,
    thresholds: [{ edition: 'client-enterprise', kind: 'client', threshold: 25 }, { edition: 'client-professional', kind: 'client', threshold: 25 }, { edition: 'server-standard', kind: 'server', threshold: 5 }],
    requests: { total: 4, failed: 1, byResult: { 'below-threshold': 3, 'duplicate-cmid': 1 }, refused: {} },
    intervals: { activationMinutes: 120, renewalMinutes: 10080 },
    dns: null,
    certificate: { serial: 'abcdef0123456789abcdef', keyGroup: 'server-b', issuedAt: '2026-11-01T00:00:00.000Z', validUntil: '2027-05-01T00:00:00.000Z', valid: true },
    ...patch,
  };
}

export function hostClient(name: string, patch: Partial<HostClientsResult['clients'][number]> = {}): HostClientsResult['clients'][number] {
  return {
    cmid: `${name.padEnd(8, '0')}-cmid`, machineName: name, edition: 'client-enterprise', licenseStatus: 'InitialGrace', sourceAddress: '127.0.0.1',
    firstSeen: '2026-11-30T10:00:00.000Z', lastSeen: '2026-12-01T09:00:00.000Z', requests: 2, vm: false, duplicate: false, duplicates: [], ...patch,
  };
}
