// Chooses the backend from the --db setting.
import * as path from 'node:path';
import { VactError } from '@vact/shared';
import type { SqliteOptions } from './sqlite-store';
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
  // Each driver is loaded only when used: the `vact` CLI (and so every agent) imports this
  // module, and neither agents nor a SQLite authority should pay for the other driver.
  if (db.kind === 'sqlite') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openSqliteStore } = require('./sqlite-store') as typeof import('./sqlite-store');
    return openSqliteStore(db.path, opts);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openPostgresStore } = require('./postgres-store') as typeof import('./postgres-store');
  return openPostgresStore(db.url, { now: opts.now });
}
