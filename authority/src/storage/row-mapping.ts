// Row <-> record mapping shared by the SQLite and PostgreSQL backends (same tables, same columns).
import type { AuditRecord, HostClaim, HostUsageRecord, KeyRecord, MakClaim, StoredAuditRecord } from './store';

export interface KeyRow {
  product_key: string; partial_key: string; key_type: string; key_group: string;
  activation_limit: number; used: number; note: string | null; issued_at: number; revoked_at: number | null;
}

/** Maps a product_keys row to a KeyRecord (shared by both backends). */
export function keyFromRow(r: KeyRow): KeyRecord {
  return {
    key: r.product_key, partialKey: r.partial_key, type: r.key_type as KeyRecord['type'], group: r.key_group,
    limit: Number(r.activation_limit), used: Number(r.used), note: r.note, issuedAt: Number(r.issued_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export interface HostRow {
  hardware_hash: string; host_public_key: string; edition: string; activations: number; first_at: number; last_at: number;
}
/** Maps a host_activations row (shared by both backends). */
export function hostFromRow(r: HostRow): HostUsageRecord {
  return {
    hardwareHash: r.hardware_hash, hostPublicKey: r.host_public_key, edition: r.edition,
    activations: Number(r.activations), firstAt: Number(r.first_at), lastAt: Number(r.last_at),
  };
}

export interface AuditRow {
  id: number; at: number; action: string; partial_key: string | null; who: string; cmid: string | null; result: string; detail: string | null;
}
/** Maps an audit_log row (shared by both backends). */
export function auditFromRow(r: AuditRow): StoredAuditRecord {
  return {
    id: Number(r.id), at: Number(r.at), action: r.action, partialKey: r.partial_key, who: r.who,
    cmid: r.cmid, result: r.result, detail: r.detail,
  };
}

/** The audit row of a MAK/offline claim with its result. */
export function auditOf(c: MakClaim, result: string): AuditRecord {
  return {
    at: c.at, action: c.channel === 'MAK' ? 'activate-mak' : 'confirm-offline', partialKey: c.partialKey,
    who: c.who, cmid: c.cmid, result, detail: `edition=${c.edition} hardware=${c.hardwareHash}`,
  };
}

/** The audit row of a KMS host claim with its result. */
export function hostAuditOf(c: HostClaim, result: string): AuditRecord {
  return {
    at: c.at, action: 'activate-kms-host', partialKey: c.partialKey, who: c.who, cmid: null, result,
    detail: `edition=${c.edition} hardware=${c.hardwareHash}`,
  };
}
