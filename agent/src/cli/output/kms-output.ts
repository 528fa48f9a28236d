// Text output of `vact kms …` and `vact host …` (the --json forms print the results as they are).
import type { HostClientsResult, HostStatusResult, KmsDomainListResult, KmsShowResult } from '@vact/shared';
import { formatTime } from './text-format';

const SOURCE_TEXT = { static: 'set with `vact kms set`', dns: 'found by DNS SRV lookup', cache: 'from the host cache' } as const;

export function kmsShowText(r: KmsShowResult): string {
  const lines = [
    `KMS host source: ${r.hostSource === 'static' ? `static (${r.staticHost})` : 'DNS SRV discovery'}`,
    `KMS domains: ${r.domains.length ? r.domains.join(', ') : '(none)'}${r.domainsFrom === 'admin' ? ' (set with `vact kms domain`)' : ''}`,
    `DNS server: ${r.dnsServer ?? '(system resolvers)'}`,
    `Cached KMS host: ${r.cachedHost ? `${r.cachedHost} (${SOURCE_TEXT[r.cachedHostSource ?? 'dns']})` : '(none: no host has answered yet)'}`,
    `Last count: ${r.lastCount ?? '(none)'} (this edition activates at ${r.threshold})`,
    `Activation interval: ${r.intervals.activationMinutes} minutes`,
    `Renewal interval: ${r.intervals.renewalMinutes} minutes (${r.intervals.source})`,
    `Next ${r.nextAttemptKind ?? 'attempt'}: ${formatTime(r.nextAttemptAt)}`,
  ];
  if (r.validUntil) lines.push(`Activation valid until: ${formatTime(r.validUntil)}`);
  lines.push(`KMS host port on this machine: ${r.hostPort}`);
  return lines.join('\n');
}

export function kmsDomainsText(r: KmsDomainListResult): string {
  if (r.domains.length === 0) return 'No KMS domains: set a host with `vact kms set HOST[:PORT]` or add a domain with `vact kms domain add DOMAIN`.';
  return [`KMS domains${r.domainsFrom === 'admin' ? ' (set with `vact kms domain`)' : ' (from --kms-domain)'}:`, ...r.domains.map((d) => `    _vlmcs._tcp.${d}`)].join('\n');
}

export function hostStatusText(r: HostStatusResult): string {
  const byResult = Object.entries(r.requests.byResult).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const refused = Object.entries(r.requests.refused).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const lines = [
    `KMS host: ${r.activated ? 'activated, answering clients' : `not activated (${r.hostStatus}): clients are told "KMS host not activated"`}`,
    `Listening on: ${r.listening ?? '(not listening)'}`,
    `Current count: ${r.count}`,
    `Cache size: ${r.cacheSize} (highest threshold seen ${r.highestThreshold})`,
    `Thresholds: ${r.thresholds.map((t) => `${t.edition} ${t.threshold}`).join(', ') || '(none)'}`,
    `Requests: ${r.requests.total} total, ${r.requests.failed} failed; by result: ${byResult}; refused connections: ${refused}`,
    `Intervals pushed to clients: activation ${r.intervals.activationMinutes} minutes, renewal ${r.intervals.renewalMinutes} minutes`,
  ];
  if (r.signer) lines.push(`Ticket signatures: Ed25519 by ${r.signer === 'libsodium' ? 'libsodium (sodium-native)' : 'node:crypto (install the optional sodium-native package to halve their CPU time)'}`);
  if (r.signing && r.signing.tickets > 0) {
    const s = r.signing;
    lines.push(`    ${s.tickets} tickets under ${s.signatures} signatures since the listener started (${(s.tickets / s.signatures).toFixed(1)} a signature, largest batch ${s.largestBatch})`);
  }
  if (r.certificate) lines.push(`Host certificate: ${r.certificate.serial} (${r.certificate.keyGroup}), valid ${formatTime(r.certificate.issuedAt)} to ${formatTime(r.certificate.validUntil)}${r.certificate.valid ? '' : ' (EXPIRED)'}`);
  else lines.push('Host certificate: (none: the authority has not activated this host)');
  if (r.renewal?.nextAt) lines.push(`Certificate renewal: next ${formatTime(r.renewal.nextAt)}${r.renewal.lastError ? ` (last attempt failed: ${r.renewal.lastError.code} ${r.renewal.lastError.message})` : ''}`);
  if (r.dns) {
    const d = r.dns;
    lines.push(`DNS publishing: ${d.record} → ${d.target} via ${d.server}: ${d.state}${d.lastError ? ` (${d.lastError.code}: ${d.lastError.message})` : ''}`);
    lines.push(`    last published ${formatTime(d.lastPublishedAt)}, next refresh ${formatTime(d.nextRefreshAt)}`);
  } else {
    lines.push('DNS publishing: off (start the agent with --dns-publish ZONE --dns-server HOST:PORT --tsig-key FILE)');
  }
  return lines.join('\n');
}

export function hostClientsText(r: HostClientsResult): string {
  if (r.clients.length === 0) return 'No clients in the KMS host cache.';
  const rows = r.clients.map((c) => `${c.cmid}  ${c.machineName.padEnd(20)} ${c.edition.padEnd(20)} ${c.licenseStatus.padEnd(19)} ${c.sourceAddress.padEnd(15)} ${formatTime(c.firstSeen)}  ${formatTime(c.lastSeen)}  ${String(c.requests).padStart(5)}  ${c.vm ? 'VM' : '  '}${c.duplicate ? `  DUPLICATE CMID (also ${c.duplicates.map((d) => d.machineName).join(', ')})` : ''}`);
  return [`${r.clients.length} client(s) in the KMS host cache:`, 'CMID                              machine              edition              status              source          first seen               last seen                requests', ...rows].join('\n');
}
