// The one SQLite binding the store sees. Node's built-in node:sqlite where the runtime has
// it unflagged (22.13+, 24 LTS), better-sqlite3 only on older runtimes (Node 20).
// Why not better-sqlite3 everywhere: on Node 24.19+ its 12.x addon aborts the process when
// V8 finalizes a Statement after the environment is gone (nodejs/node#65446), and 13.x,
// which avoids that, does not load on Node 20. The built-in module has no addon at all.
import { createRequire } from 'node:module';

/** What a run() reports. */
export interface RunResult {
  changes: number;
}

/** A prepared statement; parameters are positional values or one object of named ones. */
export interface SqliteStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** An open database connection. */
export interface SqliteDatabase {
  /** Which binding answers: shown by `authority info` and in logs. */
  readonly driver: 'node:sqlite' | 'better-sqlite3';
  readonly open: boolean;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  /** Runs fn in BEGIN IMMEDIATE … COMMIT (ROLLBACK when it throws). */
  immediate<T>(fn: () => T): T;
  /** Runs fn in a deferred (read) transaction. */
  deferred<T>(fn: () => T): T;
  close(): void;
}

export interface OpenOptions {
  readonly?: boolean;
}

interface NodeSqliteStatement {
  run(...p: unknown[]): { changes: number | bigint };
  get(...p: unknown[]): unknown;
  all(...p: unknown[]): unknown[];
}
interface NodeSqliteDatabase {
  readonly isOpen: boolean;
  exec(sql: string): void;
  prepare(sql: string): NodeSqliteStatement;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, opts?: { readOnly?: boolean }) => NodeSqliteDatabase;
}

interface BetterStatement {
  run(...p: unknown[]): { changes: number };
  get(...p: unknown[]): unknown;
  all(...p: unknown[]): unknown[];
}
interface BetterDatabase {
  readonly open: boolean;
  exec(sql: string): void;
  prepare(sql: string): BetterStatement;
  close(): void;
}
type BetterConstructor = new (path: string, opts?: { readonly?: boolean }) => BetterDatabase;

/** node:sqlite when this runtime has it without a flag, else undefined. */
function builtinSqlite(): NodeSqliteModule | undefined {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  try {
    const mod = getBuiltin?.('node:sqlite') as NodeSqliteModule | undefined;
    return typeof mod?.DatabaseSync === 'function' ? mod : undefined;
  } catch {
    return undefined; // 22.5–22.12 know the id only behind --experimental-sqlite
  }
}

/** Plain objects, as the rest of the store (and JSON, and deepEqual) expects. */
function plain(row: unknown): unknown {
  return row && typeof row === 'object' ? { ...row } : row;
}

/** Runs fn between begin and COMMIT; rolls back if fn (or the commit) throws. */
function inTransaction<T>(exec: (sql: string) => void, begin: string, fn: () => T): T {
  exec(begin);
  let result: T;
  try {
    result = fn();
    exec('COMMIT');
  } catch (err) {
    try { exec('ROLLBACK'); } catch { /* the failed COMMIT already ended it */ }
    throw err;
  }
  return result;
}

/** What each binding supplies; the rest (statement cache, transactions) is the same for both. */
interface Binding {
  driver: SqliteDatabase['driver'];
  isOpen(): boolean;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

class CachingDatabase implements SqliteDatabase {
  // Statements live as long as their database: node:sqlite keeps them through it anyway, and
  // better-sqlite3 finalizes one when V8 collects it, which must not race the database's close.
  private readonly statements = new Map<string, SqliteStatement>();
  readonly driver: SqliteDatabase['driver'];
  constructor(private readonly b: Binding) { this.driver = b.driver; }
  get open(): boolean { return this.b.isOpen(); }
  exec(sql: string): void { this.b.exec(sql); }
  prepare(sql: string): SqliteStatement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.b.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }
  immediate<T>(fn: () => T): T { return inTransaction((s) => this.b.exec(s), 'BEGIN IMMEDIATE', fn); }
  deferred<T>(fn: () => T): T { return inTransaction((s) => this.b.exec(s), 'BEGIN', fn); }
  close(): void { if (this.b.isOpen()) this.b.close(); }
}

function builtinBinding(db: NodeSqliteDatabase): Binding {
  return {
    driver: 'node:sqlite',
    isOpen: () => db.isOpen,
    exec: (sql) => db.exec(sql),
    prepare: (sql) => {
      const st = db.prepare(sql);
      return {
        run: (...p) => ({ changes: Number(st.run(...p).changes) }),
        get: (...p) => plain(st.get(...p)),
        all: (...p) => st.all(...p).map(plain),
      };
    },
    close: () => db.close(),
  };
}

function betterBinding(db: BetterDatabase): Binding {
  return { driver: 'better-sqlite3', isOpen: () => db.open, exec: (sql) => db.exec(sql), prepare: (sql) => db.prepare(sql), close: () => db.close() };
}

/** Opens the database file at `path` (or ':memory:') with the best binding this runtime has. */
export function openSqliteDatabase(path: string, opts: OpenOptions = {}): SqliteDatabase {
  const builtin = builtinSqlite();
  if (builtin) return new CachingDatabase(builtinBinding(new builtin.DatabaseSync(path, { readOnly: opts.readonly ?? false })));
  // Loaded only here, so a runtime with node:sqlite never loads the addon.
  const Better = createRequire(__filename)('better-sqlite3') as BetterConstructor;
  return new CachingDatabase(betterBinding(new Better(path, { readonly: opts.readonly ?? false })));
}
