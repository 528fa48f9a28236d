// The KMS parts of the panel and the tree: the client's host, count gauge, next contact and
// intervals; the host's count, cache, thresholds, listener, DNS, certificate and clients.
import { findEdition, referenceCatalogue, type StatusResult } from '@vact/shared';
import type { AgentSnapshot } from '../agents/agent-connection';
import { kmsRoleOf } from '../agents/kms-data';
import type { PanelHost, PanelKms } from '../panel/messages';
import { formatMinutes } from './kms-input';

const when = (iso: string): string => iso.replace('T', ' ').slice(0, 16) + ' UTC';
const FOUND_BY = { static: 'static (set by the administrator)', dns: 'DNS (_vlmcs._tcp SRV)', cache: 'cached (the host that answered last)' } as const;

/** The edition's activation threshold from the reference catalogue (null for an unknown edition). */
function thresholdOf(edition: string): number | null {
  try {
    return findEdition(referenceCatalogue(), edition).threshold;
  } catch {
    return null;
  }
}

/** "count 5 of 25", "no count yet (threshold 25)". */
export function countLabel(count: number | null, threshold: number | null): string {
  if (count === null) return threshold === null ? 'no count yet' : `no count yet (threshold ${threshold})`;
  return threshold === null ? `count ${count}` : `count ${count} of ${threshold}`;
}

function kmsHostText(s: AgentSnapshot, st: StatusResult): { host: string; foundBy: string } {
  const k = s.kms;
  if (k) {
    if (k.cachedHost) return { host: k.cachedHost, foundBy: k.cachedHostSource ? FOUND_BY[k.cachedHostSource] : FOUND_BY[k.hostSource] };
    if (k.staticHost) return { host: k.staticHost, foundBy: FOUND_BY.static };
    return { host: k.domains.length ? `not found yet (DNS in ${k.domains.join(', ')})` : 'not found yet (DNS)', foundBy: FOUND_BY.dns };
  }
  if (st.kms?.host) return { host: st.kms.host, foundBy: st.kms.foundBy ? FOUND_BY[st.kms.foundBy] : '—' };
  if (st.details?.kmsHost) return { host: st.details.kmsHost, foundBy: FOUND_BY.static };
  return { host: 'not found yet (DNS)', foundBy: FOUND_BY.dns };
}

/** The KMS client section, or null when the agent is no KMS client. */
export function kmsSection(s: AgentSnapshot): PanelKms | null {
  const st = s.status;
  if (!st || kmsRoleOf(st) !== 'client') return null;
  const k = s.kms;
  const { host, foundBy } = kmsHostText(s, st);
  const count = k?.lastCount ?? st.kms?.count ?? null;
  const threshold = k?.threshold ?? thresholdOf(st.edition);
  const next = k ? k.nextAttemptAt : st.nextAttemptAt;
  const nextKind = k ? k.nextAttemptKind : st.nextAttemptAt ? (st.status === 'Licensed' ? 'renewal' : 'retry') : null;
  const iv = k?.intervals ?? st.intervals;
  return {
    host,
    foundBy,
    setting: k ? (k.staticHost ? `static host ${k.staticHost}` : `DNS discovery${k.domains.length ? ` in ${k.domains.join(', ')}` : ''}${k.dnsServer ? ` via ${k.dnsServer}` : ''}`) : st.details?.kmsHost ? `static host ${st.details.kmsHost}` : 'DNS discovery',
    static: k ? k.staticHost !== null : Boolean(st.details?.kmsHost),
    count,
    threshold,
    countLabel: countLabel(count, threshold),
    next,
    nextKind,
    intervals: `activation every ${formatMinutes(iv.activationMinutes)}, renewal every ${formatMinutes(iv.renewalMinutes)} (${iv.source === 'host' ? 'from the KMS host' : iv.source === 'admin' ? 'set by the administrator' : 'defaults'})`,
    validUntil: k?.validUntil ?? st.kms?.validUntil ?? st.validUntil,
  };
}

/** The KMS host section, or null when the agent holds no KMS host key. */
export function hostSection(s: AgentSnapshot): PanelHost | null {
  const st = s.status;
  if (!st || kmsRoleOf(st) !== 'host') return null;
  const h = s.host;
  if (!h) return { ready: false, keyGroup: st.keyGroup ?? '', activated: false, count: 0, cacheSize: 0, highestThreshold: 0, countLabel: '', thresholds: '', listening: '', dns: '', certificate: '', requests: '', clients: [] };
  const hs = h.status;
  const dns = hs.dns;
  const cert = hs.certificate;
  const refused = Object.values(hs.requests.refused).reduce((a, b) => a + b, 0);
  return {
    ready: true,
    keyGroup: cert?.keyGroup ?? st.keyGroup ?? '',
    activated: hs.activated,
    count: hs.count,
    cacheSize: hs.cacheSize,
    highestThreshold: hs.highestThreshold,
    countLabel: countLabel(hs.count, hs.highestThreshold),
    thresholds: [...new Map(hs.thresholds.map((t) => [`${t.kind} ${t.threshold}`, t])).keys()].join(' · ') || '—',
    listening: hs.listening ?? 'not listening (the host answers only while activated)',
    dns: dns ? `${dns.record} → ${dns.target} on ${dns.server} (zone ${dns.zone}): ${dns.state}${dns.lastError ? `, ${dns.lastError.code}: ${dns.lastError.message}` : ''}${dns.nextRefreshAt ? `, next refresh ${when(dns.nextRefreshAt)}` : ''}` : 'not publishing (no --kms-publish zone)',
    certificate: cert ? `${cert.valid ? 'valid' : 'NOT valid'} until ${when(cert.validUntil)} (serial ${cert.serial.slice(0, 16)}, issued ${when(cert.issuedAt)})` : 'none (the host key is not activated by the authority)',
    requests: `${hs.requests.total} answered, ${hs.requests.failed} refused by rule${refused ? `, ${refused} dropped` : ''}${Object.keys(hs.requests.byResult).length ? ` (${Object.entries(hs.requests.byResult).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
    clients: [...h.clients]
      .sort((a, b) => Number(b.duplicate) - Number(a.duplicate) || b.lastSeen.localeCompare(a.lastSeen))
      .map((c) => ({
        cmid: c.cmid, machineName: c.machineName, edition: c.edition, status: c.licenseStatus, source: c.sourceAddress,
        firstSeen: c.firstSeen, lastSeen: c.lastSeen, requests: c.requests, vm: c.vm, duplicate: c.duplicate,
        duplicateOf: c.duplicates.map((d) => d.machineName).filter((n, i, a) => a.indexOf(n) === i).join(', '),
      })),
  };
}

/** Tree rows for KMS: the client's host and count, the host's count and clients. */
export function kmsDetailRows(s: AgentSnapshot): { label: string; value: string }[] {
  const k = kmsSection(s);
  if (k) return [{ label: 'KMS host', value: `${k.host} · ${k.static ? 'static' : 'DNS'}` }, { label: 'KMS count', value: k.countLabel }];
  const h = hostSection(s);
  if (h?.ready) {
    const dup = h.clients.filter((c) => c.duplicate).length;
    return [{ label: 'KMS count', value: h.countLabel }, { label: 'KMS clients', value: `${h.clients.length}${dup ? ` (${dup} duplicate CMID)` : ''}` }];
  }
  return [];
}
