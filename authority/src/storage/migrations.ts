// Schema migrations for both backends, applied in order at start; schema_version records
// which ones ran. Append new migrations; never edit one that has shipped.

export interface Migration {
  version: number;
  description: string;
  sqlite: string;
  postgres: string;
}

const v1Tables = (autoId: string): string => `
CREATE TABLE product_keys (
  product_key TEXT PRIMARY KEY,
  partial_key TEXT NOT NULL,
  key_type TEXT NOT NULL CHECK (key_type IN ('mak', 'kms-host')),
  key_group TEXT NOT NULL,
  activation_limit INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  note TEXT,
  issued_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE mak_activations (
  product_key TEXT NOT NULL REFERENCES product_keys (product_key),
  hardware_hash TEXT NOT NULL,
  cmid TEXT NOT NULL,
  edition TEXT NOT NULL,
  channel TEXT NOT NULL,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  requests INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (product_key, hardware_hash)
);
CREATE TABLE host_activations (
  product_key TEXT NOT NULL REFERENCES product_keys (product_key),
  hardware_hash TEXT NOT NULL,
  host_public_key TEXT NOT NULL,
  edition TEXT NOT NULL,
  activations INTEGER NOT NULL,
  first_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  PRIMARY KEY (product_key, hardware_hash)
);
CREATE TABLE audit_log (
  id ${autoId},
  at BIGINT NOT NULL,
  action TEXT NOT NULL,
  partial_key TEXT,
  who TEXT NOT NULL,
  cmid TEXT,
  result TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
`;

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'keys, MAK activations, KMS host activations, audit log',
    sqlite: v1Tables('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: v1Tables('BIGSERIAL PRIMARY KEY'),
  },
];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** The data tables in dependency order, with their columns (as of the latest schema), for copy-db. */
export const DATA_TABLES = {
  product_keys: ['product_key', 'partial_key', 'key_type', 'key_group', 'activation_limit', 'used', 'note', 'issued_at', 'revoked_at'],
  mak_activations: ['product_key', 'hardware_hash', 'cmid', 'edition', 'channel', 'first_at', 'last_at', 'requests'],
  host_activations: ['product_key', 'hardware_hash', 'host_public_key', 'edition', 'activations', 'first_at', 'last_at'],
  audit_log: ['id', 'at', 'action', 'partial_key', 'who', 'cmid', 'result', 'detail'],
} as const;
export type DataTable = keyof typeof DATA_TABLES;
/** Integer columns: PostgreSQL returns BIGINT as text, so dumps turn these back into numbers. */
export const INTEGER_COLUMNS: ReadonlySet<string> = new Set([
  'activation_limit', 'used', 'issued_at', 'revoked_at', 'first_at', 'last_at', 'requests', 'activations', 'id', 'at',
]);
export type TableDump = Record<DataTable, Record<string, unknown>[]>;
