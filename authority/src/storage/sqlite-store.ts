/* eslint-disable @typescript-eslint/require-await -- the store interface is async for PostgreSQL; SQLite answers synchronously */
// SQLite backend (the default): the binding (sqlite-driver.ts) is synchronous, so each claim is one
// BEGIN IMMEDIATE transaction that holds the write lock from its first read; WAL lets
// readers go on meanwhile, and busy_timeout makes a second process wait instead of failing.
import * as fs from 'node:fs';
import { VactError } from '@vact/shared';
import { DATA_TABLES, LATEST_SCHEMA_VERSION, MIGRATIONS, SCHEMA_VERSION_TABLE, type DataTable, type TableDump } from './migrations';
import type {
  AuditRecord, AuthorityStore, HostClaim, HostClaimOutcome, HostUsageRecord, KeyRecord,
  MakClaim, MakClaimOutcome, StoredAuditRecord,
} from './store';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-driver';
import { auditFromRow, auditOf, hostAuditOf, hostFromRow, keyFromRow, type AuditRow, type HostRow, type KeyRow } from './row-mapping';

/** Most claims committed together. */
const MAX_GROUP_COMMIT = 256;

export interface SqliteOptions {
  /** 'full' fsyncs the WAL on every commit (survives power loss); 'normal' survives process crashes only. */
  synchronous?: 'full' | 'normal';
  now?: () => number;
}

/** Opens (creating if needed) the SQLite database at `path` and applies pending migrations. */
export function openSqliteStore(path: string, opts: SqliteOptions = {}): AuthorityStore {
  // The database holds every issued key in full: create it owner-only (SQLite gives its
  // -wal/-shm files the same mode), and never leave an older, wider mode in place.
  if (path !== ':memory:') {
    fs.closeSync(fs.openSync(path, 'a', 0o600));
    fs.chmodSync(path, 0o600);
  }
  const db = openSqliteDatabase(path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA busy_timeout = 10000');
    db.exec(`PRAGMA synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.exec('PRAGMA foreign_keys = ON');
    migrateSqlite(db, (opts.now ?? Date.now)());
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStore(db);
}

/** Applies the migrations this database has not seen, in one transaction. */
function migrateSqlite(db: SqliteDatabase, now: number): void {
  db.exec(SCHEMA_VERSION_TABLE);
  db.immediate(() => {
    const current = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version').get() as { v: number }).v;
    if (current > LATEST_SCHEMA_VERSION) {
      throw new VactError('STATE_VERSION_UNSUPPORTED', `database schema version ${current} is newer than this build (${LATEST_SCHEMA_VERSION})`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(m.version, m.description, now);
    }
  });
}

class SqliteStore implements AuthorityStore {
  readonly kind = 'sqlite' as const;
  private readonly s;
  private readonly claimMakTx;
  private readonly claimHostTx;
  private readonly pending: { run: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private flushScheduled = false;

  constructor(private readonly db: SqliteDatabase) {
    this.s = {
      insertKey: db.prepare(`INSERT INTO product_keys (product_key, partial_key, key_type, key_group, activation_limit, used, note, issued_at, revoked_at)
        VALUES (@key, @partialKey, @type, @group, @limit, @used, @note, @issuedAt, @revokedAt) ON CONFLICT DO NOTHING`),
      getKey: db.prepare('SELECT * FROM product_keys WHERE product_key = ?'),
      listKeys: db.prepare('SELECT * FROM product_keys ORDER BY issued_at, product_key'),
      hostUsage: db.prepare('SELECT * FROM host_activations WHERE product_key = ? ORDER BY first_at, hardware_hash'),
      revoke: db.prepare('UPDATE product_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE product_key = ?'),
      audit: db.prepare(`INSERT INTO audit_log (at, action, partial_key, who, cmid, result, detail)
        VALUES (@at, @action, @partialKey, @who, @cmid, @result, @detail)`),
      auditTrail: db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?'),
      getMak: db.prepare('SELECT requests FROM mak_activations WHERE product_key = ? AND hardware_hash = ?'),
      touchMak: db.prepare('UPDATE mak_activations SET last_at = ?, cmid = ?, requests = requests + 1 WHERE product_key = ? AND hardware_hash = ?'),
      insertMak: db.prepare(`INSERT INTO mak_activations (product_key, hardware_hash, cmid, edition, channel, first_at, last_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      bumpUsed: db.prepare('UPDATE product_keys SET used = used + 1 WHERE product_key = ?'),
      getHost: db.prepare('SELECT activations FROM host_activations WHERE product_key = ? AND hardware_hash = ?'),
      touchHost: db.prepare(`UPDATE host_activations SET activations = activations + 1, last_at = ?, host_public_key = ?, edition = ?
        WHERE product_key = ? AND hardware_hash = ?`),
      insertHost: db.prepare(`INSERT INTO host_activations (product_key, hardware_hash, host_public_key, edition, activations, first_at, last_at)
        VALUES (?, ?, ?, ?, 1, ?, ?)`),
      schemaVersion: db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version'),
    };

    this.claimMakTx = (c: MakClaim): MakClaimOutcome => {
      const row = this.s.getKey.get(c.key) as KeyRow | undefined;
      if (!row) return { ok: false, code: 'KEY_NOT_GENUINE' };
      const key = keyFromRow(row);
      const refused = c.check(key);
      if (refused) return { ok: false, code: refused };
      const existing = this.s.getMak.get(c.key, c.hardwareHash);
      if (existing) {
        this.s.touchMak.run(c.at, c.cmid, c.key, c.hardwareHash);
        this.s.audit.run(auditOf(c, 'repeat'));
        return { ok: true, repeat: true, used: key.used, limit: key.limit };
      }
      if (key.used >= key.limit) return { ok: false, code: 'MAK_LIMIT_REACHED' };
      this.s.insertMak.run(c.key, c.hardwareHash, c.cmid, c.edition, c.channel, c.at, c.at);
      this.s.bumpUsed.run(c.key);
      this.s.audit.run(auditOf(c, 'activated'));
      return { ok: true, repeat: false, used: key.used + 1, limit: key.limit };
    };

    this.claimHostTx = (c: HostClaim): HostClaimOutcome => {
      const row = this.s.getKey.get(c.key) as KeyRow | undefined;
      if (!row) return { ok: false, code: 'KEY_NOT_GENUINE' };
      const key = keyFromRow(row);
      const refused = c.check(key);
      if (refused) return { ok: false, code: refused };
      const existing = this.s.getHost.get(c.key, c.hardwareHash) as { activations: number } | undefined;
      if (existing) {
        if (existing.activations >= c.maxActivationsPerHost) return { ok: false, code: 'KMS_HOST_KEY_REACTIVATION_LIMIT' };
        this.s.touchHost.run(c.at, c.hostPublicKey, c.edition, c.key, c.hardwareHash);
        this.s.audit.run(hostAuditOf(c, 'activated'));
        return { ok: true, activations: existing.activations + 1, hosts: key.used };
      }
      if (key.used >= key.limit) return { ok: false, code: 'KMS_HOST_KEY_HOST_LIMIT' };
      this.s.insertHost.run(c.key, c.hardwareHash, c.hostPublicKey, c.edition, c.at, c.at);
      this.s.bumpUsed.run(c.key);
      this.s.audit.run(hostAuditOf(c, 'activated'));
      return { ok: true, activations: 1, hosts: key.used + 1 };
    };
  }

  async insertKey(rec: KeyRecord, audit: AuditRecord): Promise<boolean> {
    return this.db.immediate(() => {
      const info = this.s.insertKey.run(rec);
      if (info.changes === 0) return false;
      this.s.audit.run(audit);
      return true;
    });
  }

  async getKey(key: string): Promise<KeyRecord | undefined> {
    const row = this.s.getKey.get(key) as KeyRow | undefined;
    return row ? keyFromRow(row) : undefined;
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (this.s.listKeys.all() as KeyRow[]).map(keyFromRow);
  }

  async hostUsage(key: string): Promise<HostUsageRecord[]> {
    return (this.s.hostUsage.all(key) as HostRow[]).map(hostFromRow);
  }

  async revokeKey(key: string, at: number, audit: AuditRecord): Promise<KeyRecord | undefined> {
    return this.db.immediate(() => {
      const info = this.s.revoke.run(at, key);
      if (info.changes === 0) return undefined;
      this.s.audit.run(audit);
      return keyFromRow(this.s.getKey.get(key) as KeyRow);
    });
  }

  claimMak(claim: MakClaim): Promise<MakClaimOutcome> {
    return this.enqueue(() => {
      const out = this.claimMakTx(claim);
      if (!out.ok) this.s.audit.run(auditOf(claim, out.code));
      return out;
    });
  }

  claimHost(claim: HostClaim): Promise<HostClaimOutcome> {
    return this.enqueue(() => {
      const out = this.claimHostTx(claim);
      if (!out.ok) this.s.audit.run(hostAuditOf(claim, out.code));
      return out;
    });
  }

  /**
   * Group commit: claims that arrive in the same event-loop turn run one after another in
   * one BEGIN IMMEDIATE transaction, so a commit (and its fsync) serves many of them. Each
   * claim still sees the counts the previous one left, and none is answered before the commit.
   */
  private enqueue<T>(run: () => T): Promise<T> {
    if (!this.db.open) return Promise.reject(new VactError('INTERNAL', 'the database is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending.splice(0, MAX_GROUP_COMMIT);
    if (batch.length === 0) return;
    let outcomes: unknown[];
    try {
      outcomes = this.db.immediate(() => batch.map((b) => b.run()));
    } catch (err) {
      for (const b of batch) b.reject(err);
      outcomes = [];
    }
    outcomes.forEach((o, i) => batch[i].resolve(o));
    if (this.pending.length && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  async audit(rec: AuditRecord): Promise<void> {
    this.s.audit.run(rec);
  }

  async auditTrail(limit: number): Promise<StoredAuditRecord[]> {
    return (this.s.auditTrail.all(limit) as AuditRow[]).map(auditFromRow);
  }

  async schemaVersion(): Promise<number> {
    return (this.s.schemaVersion.get() as { v: number }).v;
  }

  async dumpTables(): Promise<TableDump> {
    return this.db.deferred(() => {
      const out = {} as TableDump;
      for (const [t, cols] of Object.entries(DATA_TABLES) as [DataTable, readonly string[]][]) {
        out[t] = this.db.prepare(`SELECT ${cols.join(', ')} FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[];
      }
      return out;
    });
  }

  async loadTables(dump: TableDump): Promise<void> {
    this.db.immediate(() => {
      const n = (this.db.prepare('SELECT COUNT(*) AS n FROM product_keys').get() as { n: number }).n;
      if (n > 0) throw new VactError('ALREADY_EXISTS', `the target database already holds ${n} keys; copy into an empty database`);
      for (const [t, cols] of Object.entries(DATA_TABLES) as [DataTable, readonly string[]][]) {
        const ins = this.db.prepare(`INSERT INTO ${t} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
        for (const row of dump[t]) ins.run(Object.fromEntries(cols.map((c) => [c, row[c] ?? null])));
      }
    });
  }

  async close(): Promise<void> {
    while (this.pending.length) this.flush();
    if (this.db.open) this.db.close();
  }
}
