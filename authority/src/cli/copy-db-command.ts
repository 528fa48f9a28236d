// `vact authority copy-db`: moves an authority's data between databases (e.g. SQLite to
// PostgreSQL when going to several replicas). Run it with the authority stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { VactError } from '@vact/shared';
import { openStore, parseDbSetting, redactDbUrl, type DbSetting } from '../storage/open-store';
import { action, printResult } from './cli-output';

const describe = (d: DbSetting): string => (d.kind === 'sqlite' ? `sqlite:${d.path}` : redactDbUrl(d.url));

/** Adds `copy-db` under `vact authority`. */
export function registerCopyDbCommand(authority: Command): void {
  authority
    .command('copy-db')
    .description('copy every key, activation and audit entry into an empty database (stop the authority first)')
    .requiredOption('--from <DB>', 'source: sqlite:PATH or postgres://…')
    .requiredOption('--to <DB>', 'target: sqlite:PATH or postgres://… (created and migrated if needed; must hold no keys)')
    .option('--json', 'print the result as JSON')
    .action(action(async (opts: { from: string; to: string; json?: boolean }) => {
      if (!opts.from.startsWith('sqlite:') && !opts.from.startsWith('postgres')) {
        throw new VactError('INVALID_CONFIG', '--from must be sqlite:PATH or postgres://…');
      }
      const from = parseDbSetting(opts.from, process.cwd());
      const to = parseDbSetting(opts.to, process.cwd());
      if (from.kind === 'sqlite' && to.kind === 'sqlite' && path.resolve(from.path) === path.resolve(to.path)) {
        throw new VactError('INVALID_CONFIG', '--from and --to are the same database');
      }
      if (from.kind === 'sqlite' && !fs.existsSync(from.path)) throw new VactError('INVALID_CONFIG', `--from ${from.path} does not exist`);
      const source = await openStore(from);
      try {
        const dump = await source.dumpTables();
        const target = await openStore(to);
        try {
          await target.loadTables(dump);
        } finally {
          await target.close();
        }
        const counts = Object.fromEntries(Object.entries(dump).map(([t, rows]) => [t, rows.length]));
        printResult(opts, { from: describe(from), to: describe(to), rows: counts }, () =>
          `Copied ${describe(from)} to ${describe(to)}: ${Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ')}`);
      } finally {
        await source.close();
      }
    }));
}
