// Chooses the backend from the --db setting.
import * as path from 'node:path';
import { VactError } from '@vact/shared';
import { openSqliteStore, type SqliteOptions } from './sqlite-store';
import { openPostgresStore } from './postgres-store';
import type { AuthorityStore } from './store';

export type DbSetting = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Parses `sqlite:PATH` or `postgres://…`/`postgresql://…`; undefined means SQLite in `dir`. */
export function parseDbSetting(value: string | undefined, dir: string): DbSetting {
  if (value === undefined || value === '') return { kind: 'sqlite', path: path.join(dir, 'authority.db') };
  if (value.startsWith('sqlite:')) {
    const p = value.slice('sqlite:'.length);
    if (!p) throw new VactError('INVALID_CONFIG', '--db sqlite: needs a file path, e.g. sqlite:/var/lib/vact/authority.db');
    return { kind: 'sqlite', path: path.resolve(p) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: 'postgres', url: value };
  throw new VactError('INVALID_CONFIG', `--db must be sqlite:PATH or postgres://…, not "${redactDbUrl(value)}"`);
}

/** The setting as safe to log: no password. */
export function redactDbUrl(value: string): string {
  return value.replace(/(\/\/[^:/@]*):[^@]*@/, '$1:***@');
}

/** Opens the store named by the setting and applies pending migrations. */
export async function openStore(db: DbSetting, opts: SqliteOptions = {}): Promise<AuthorityStore> {
  return db.kind === 'sqlite' ? openSqliteStore(db.path, opts) : openPostgresStore(db.url, { now: opts.now });
}
