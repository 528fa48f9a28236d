// PostgreSQL backend, for several authority replicas sharing one database: every claim is
// one transaction that locks the key row with SELECT … FOR UPDATE, so concurrent claims on
// the same key queue up across processes and the limit holds.
import { Pool, type PoolClient } from 'pg';
import { VactError, type ErrorCodeName } from '@vact/shared';
import { DATA_TABLES, INTEGER_COLUMNS, LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_VERSION_TABLE, type DataTable, type TableDump } from './migrations';
import { auditFromRow, auditOf, hostAuditOf, hostFromRow, keyFromRow, type AuditRow, type HostRow, type KeyRow } from './row-mapping';
import type {
  AuditRecord, AuthorityStore, HostClaim, KeyCheck, HostClaimOutcome, HostUsageRecord, KeyRecord,
  MakClaim, MakClaimOutcome, StoredAuditRecord,
} from './store';

/** Arbitrary constant naming the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK_ID = 847_001;

export interface PostgresOptions {
  poolSize?: number;
  now?: () => number;
}

/** Connects to PostgreSQL at `url` and applies pending migrations. */
export async function openPostgresStore(url: string, opts: PostgresOptions = {}): Promise<AuthorityStore> {
  const pool = new Pool({ connectionString: url, max: opts.poolSize ?? 16, connectionTimeoutMillis: 10_000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool, (opts.now ?? Date.now)());
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PostgresStore(pool);
}

async function migratePostgres(pool: Pool, now: number): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await c.query(SCHEMA_VERSION_TABLE);
    const current = Number((await c.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version')).rows[0].v);
    if (current > LATEST_SCHEMA_VERSION) {
      throw new VactError('STATE_VERSION_UNSUPPORTED', `database schema version ${current} is newer than this build (${LATEST_SCHEMA_VERSION})`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await c.query(m.postgres);
      await c.query('INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)', [m.version, m.description, now]);
    }
  });
}

async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken = false;
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => { broken = true; });
    throw err;
  } finally {
    c.release(broken);
  }
}

/** The refusal of a locked key row: absent (not genuine) or failing the caller's checks. */
function refusalOf(row: KeyRow | undefined, check: KeyCheck): ErrorCodeName | undefined {
  if (!row) return 'KEY_NOT_GENUINE';
  return check(keyFromRow(row));
}

const INSERT_AUDIT = `INSERT INTO audit_log (at, action, partial_key, who, cmid, result, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
const auditParams = (a: AuditRecord): unknown[] => [a.at, a.action, a.partialKey, a.who, a.cmid, a.result, a.detail];

class PostgresStore implements AuthorityStore {
  readonly kind = 'postgres' as const;
  constructor(private readonly pool: Pool) {}

  async insertKey(rec: KeyRecord, audit: AuditRecord): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const r = await c.query(
        `INSERT INTO product_keys (product_key, partial_key, key_type, key_group, activation_limit, used, note, issued_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [rec.key, rec.partialKey, rec.type, rec.group, rec.limit, rec.used, rec.note, rec.issuedAt, rec.revokedAt]);
      if (r.rowCount === 0) return false;
      await c.query(INSERT_AUDIT, auditParams(audit));
      return true;
    });
  }

  async getKey(key: string): Promise<KeyRecord | undefined> {
    const r = await this.pool.query<KeyRow>('SELECT * FROM product_keys WHERE product_key = $1', [key]);
    return r.rows[0] ? keyFromRow(r.rows[0]) : undefined;
  }

  async listKeys(): Promise<KeyRecord[]> {
    const r = await this.pool.query<KeyRow>('SELECT * FROM product_keys ORDER BY issued_at, product_key');
    return r.rows.map(keyFromRow);
  }

  async hostUsage(key: string): Promise<HostUsageRecord[]> {
    const r = await this.pool.query<HostRow>('SELECT * FROM host_activations WHERE product_key = $1 ORDER BY first_at, hardware_hash', [key]);
    return r.rows.map(hostFromRow);
  }

  async revokeKey(key: string, at: number, audit: AuditRecord): Promise<KeyRecord | undefined> {
    return inTransaction(this.pool, async (c) => {
      const r = await c.query<KeyRow>('UPDATE product_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE product_key = $2 RETURNING *', [at, key]);
      if (!r.rows[0]) return undefined;
      await c.query(INSERT_AUDIT, auditParams(audit));
      return keyFromRow(r.rows[0]);
    });
  }

  // Each MAK claim holds the key row lock for as few round trips as possible: SELECT … FOR
  // UPDATE, then one statement that does every write and reports the outcome, then COMMIT.
  // That statement takes its snapshot after the lock is granted, so it sees every claim
  // committed before (a join in the locking SELECT would not: it reads the older snapshot).
  async claimMak(cl: MakClaim): Promise<MakClaimOutcome> {
    return inTransaction(this.pool, async (c): Promise<MakClaimOutcome> => {
      const r = await c.query<KeyRow>('SELECT * FROM product_keys WHERE product_key = $1 FOR UPDATE', [cl.key]);
      const refused = refusalOf(r.rows[0], cl.check);
      if (refused) {
        await c.query(INSERT_AUDIT, auditParams(auditOf(cl, refused)));
        return { ok: false, code: refused };
      }
      const key = keyFromRow(r.rows[0]);
      const a = auditOf(cl, '');
      const out = await c.query<{ result: string }>(
        `WITH touched AS (
           UPDATE mak_activations SET last_at = $1, cmid = $5, requests = requests + 1
           WHERE product_key = $7 AND hardware_hash = $8 RETURNING 1),
         added AS (
           INSERT INTO mak_activations (product_key, hardware_hash, cmid, edition, channel, first_at, last_at)
           SELECT $7, $8, $5, $9, $10, $1, $1 WHERE NOT EXISTS (SELECT 1 FROM touched) AND $11::boolean RETURNING 1),
         counted AS (
           UPDATE product_keys SET used = used + 1 WHERE product_key = $7 AND EXISTS (SELECT 1 FROM added)),
         outcome AS (
           SELECT CASE WHEN EXISTS (SELECT 1 FROM touched) THEN 'repeat'
                       WHEN EXISTS (SELECT 1 FROM added) THEN 'activated'
                       ELSE 'MAK_LIMIT_REACHED' END AS result)
         INSERT INTO audit_log (at, action, partial_key, who, cmid, result, detail)
         SELECT $1, $2, $3, $4, $5, outcome.result, $6 FROM outcome RETURNING result`,
        [a.at, a.action, a.partialKey, a.who, a.cmid, a.detail, cl.key, cl.hardwareHash, cl.edition, cl.channel, key.used < key.limit]);
      const result = out.rows[0].result;
      if (result === 'repeat') return { ok: true, repeat: true, used: key.used, limit: key.limit };
      if (result === 'activated') return { ok: true, repeat: false, used: key.used + 1, limit: key.limit };
      return { ok: false, code: 'MAK_LIMIT_REACHED' };
    });
  }

  async claimHost(cl: HostClaim): Promise<HostClaimOutcome> {
    return inTransaction(this.pool, async (c): Promise<HostClaimOutcome> => {
      const r = await c.query<KeyRow>('SELECT * FROM product_keys WHERE product_key = $1 FOR UPDATE', [cl.key]);
      const audit = (result: string): unknown[] => auditParams(hostAuditOf(cl, result));
      const row = r.rows[0];
      let refused = refusalOf(row, cl.check);
      // Read after the lock is granted, so a concurrent claim's committed row is seen.
      const h = refused ? undefined : (await c.query<{ activations: number }>(
        'SELECT activations FROM host_activations WHERE product_key = $1 AND hardware_hash = $2', [cl.key, cl.hardwareHash])).rows[0];
      const existing = h ? Number(h.activations) : null;
      const key = row ? keyFromRow(row) : undefined;
      if (!refused && existing !== null && existing >= cl.maxActivationsPerHost) refused = 'KMS_HOST_KEY_REACTIVATION_LIMIT';
      if (!refused && existing === null && key!.used >= key!.limit) refused = 'KMS_HOST_KEY_HOST_LIMIT';
      if (refused) {
        await c.query(INSERT_AUDIT, audit(refused));
        return { ok: false, code: refused };
      }
      if (existing !== null) {
        await c.query(
          `WITH touched AS (UPDATE host_activations SET activations = activations + 1, last_at = $8, host_public_key = $9, edition = $10 WHERE product_key = $11 AND hardware_hash = $12)
           ${INSERT_AUDIT}`, [...audit('activated'), cl.at, cl.hostPublicKey, cl.edition, cl.key, cl.hardwareHash]);
        return { ok: true, activations: existing + 1, hosts: key!.used };
      }
      await c.query(
        `WITH added AS (INSERT INTO host_activations (product_key, hardware_hash, host_public_key, edition, activations, first_at, last_at) VALUES ($8, $9, $10, $11, 1, $12, $12)),
              counted AS (UPDATE product_keys SET used = used + 1 WHERE product_key = $8)
         ${INSERT_AUDIT}`, [...audit('activated'), cl.key, cl.hardwareHash, cl.hostPublicKey, cl.edition, cl.at]);
      return { ok: true, activations: 1, hosts: key!.used + 1 };
    });
  }

  async audit(rec: AuditRecord): Promise<void> {
    await this.pool.query(INSERT_AUDIT, auditParams(rec));
  }

  async auditTrail(limit: number): Promise<StoredAuditRecord[]> {
    const r = await this.pool.query<AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
    return r.rows.map(auditFromRow);
  }

  async schemaVersion(): Promise<number> {
    return Number((await this.pool.query<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version')).rows[0].v);
  }

  async dumpTables(): Promise<TableDump> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const out = {} as TableDump;
      for (const [t, cols] of Object.entries(DATA_TABLES) as [DataTable, readonly string[]][]) {
        const order = t === 'audit_log' ? 'id' : cols.slice(0, 2).join(', ');
        const r = await c.query(`SELECT ${cols.join(', ')} FROM ${t} ORDER BY ${order}`);
        out[t] = r.rows.map((row: Record<string, unknown>) => Object.fromEntries(cols.map((col) => {
          const v = row[col];
          return [col, v !== null && INTEGER_COLUMNS.has(col) ? Number(v) : v];
        })));
      }
      await c.query('COMMIT');
      return out;
    } finally {
      c.release();
    }
  }

  async loadTables(dump: TableDump): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('LOCK TABLE product_keys IN EXCLUSIVE MODE');
      const n = Number((await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM product_keys')).rows[0].n);
      if (n > 0) throw new VactError('ALREADY_EXISTS', `the target database already holds ${n} keys; copy into an empty database`);
      for (const [t, cols] of Object.entries(DATA_TABLES) as [DataTable, readonly string[]][]) {
        const sql = `INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`;
        for (const row of dump[t]) await c.query(sql, cols.map((col) => row[col] ?? null));
      }
      // Copied audit ids must not be handed out again.
      await c.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), GREATEST((SELECT MAX(id) FROM audit_log), 1), (SELECT COUNT(*) > 0 FROM audit_log))`);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
