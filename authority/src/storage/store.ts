// The one storage interface of the authority; SQLite and PostgreSQL implement it with the
// same semantics, so counts hold under concurrent requests on either backend.
import type { ErrorCodeName } from '@vact/shared';
import type { TableDump } from './migrations';

export type IssuedKeyType = 'mak' | 'kms-host';

/** An issued key. For a KMS host key, `limit` is the host limit and `used` the number of distinct hosts. */
export interface KeyRecord {
  key: string;
  partialKey: string;
  type: IssuedKeyType;
  group: string;
  limit: number;
  used: number;
  note: string | null;
  issuedAt: number;
  revokedAt: number | null;
}

export interface HostUsageRecord {
  hardwareHash: string;
  hostPublicKey: string;
  edition: string;
  activations: number;
  firstAt: number;
  lastAt: number;
}

/** One audit trail row (id assigned by the store). */
export interface AuditRecord {
  at: number;
  action: string;
  partialKey: string | null;
  who: string;
  cmid: string | null;
  result: string;
  detail: string | null;
}
export interface StoredAuditRecord extends AuditRecord { id: number }

/**
 * Runs inside the transaction with the locked key row; returns an error code to refuse
 * (nothing is counted) or undefined to go on.
 */
export type KeyCheck = (key: KeyRecord) => ErrorCodeName | undefined;

export interface MakClaim {
  key: string;
  partialKey: string;
  hardwareHash: string;
  cmid: string;
  edition: string;
  channel: 'MAK' | 'offline';
  at: number;
  who: string;
  check: KeyCheck;
}
export type MakClaimOutcome =
  | { ok: true; repeat: boolean; used: number; limit: number }
  | { ok: false; code: ErrorCodeName };

export interface HostClaim {
  key: string;
  partialKey: string;
  hardwareHash: string;
  hostPublicKey: string;
  edition: string;
  at: number;
  who: string;
  maxActivationsPerHost: number;
  check: KeyCheck;
}
export type HostClaimOutcome =
  | { ok: true; activations: number; hosts: number }
  | { ok: false; code: ErrorCodeName };

export interface AuthorityStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Stores a newly issued key with its audit row; false when the key already exists. */
  insertKey(rec: KeyRecord, audit: AuditRecord): Promise<boolean>;
  getKey(key: string): Promise<KeyRecord | undefined>;
  listKeys(): Promise<KeyRecord[]>;
  hostUsage(key: string): Promise<HostUsageRecord[]>;
  /** Marks a key revoked (idempotent) with its audit row; undefined when no such key. */
  revokeKey(key: string, at: number, audit: AuditRecord): Promise<KeyRecord | undefined>;
  /**
   * Counts one MAK/offline activation atomically: key must exist (else KEY_NOT_GENUINE), pass
   * `check`, and be under its limit unless this hardware already activated it. Audits the attempt.
   */
  claimMak(claim: MakClaim): Promise<MakClaimOutcome>;
  /** Counts one KMS host activation atomically against the host and per-host limits. Audits the attempt. */
  claimHost(claim: HostClaim): Promise<HostClaimOutcome>;
  audit(rec: AuditRecord): Promise<void>;
  auditTrail(limit: number): Promise<StoredAuditRecord[]>;
  schemaVersion(): Promise<number>;
  /** Every row of every data table, read in one transaction (for copy-db). */
  dumpTables(): Promise<TableDump>;
  /** Loads a dump into this store in one transaction; ALREADY_EXISTS unless the store holds no keys yet. */
  loadTables(dump: TableDump): Promise<void>;
  close(): Promise<void>;
}
