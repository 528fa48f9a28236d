// `vact catalogue show|check`: print the catalogue the fleet runs on, or validate a catalogue file
// before deploying it. A bad file is a usage error (exit 2) with the offending field named.
import type { Command } from 'commander';
import { catalogueIdentity, exitCodeForErrorCode, formatErrorText, groupsActivatedBy, referenceCatalogue, VactError, type Catalogue } from '@vact/shared';
import { readCatalogueFile } from '@vact/shared/node';

/** Reads and validates a catalogue file (one loader for the CLI, the agent and the authority). */
export const loadCatalogueFile = readCatalogueFile;

/** "10080 minutes (7 days)": the number as configured, and the unit an administrator thinks in. */
function minutes(m: number): string {
  const plain = `${m} minute${m === 1 ? '' : 's'}`;
  if (m % 1440 === 0) return `${plain} (${m / 1440} day${m === 1440 ? '' : 's'})`;
  if (m % 60 === 0) return `${plain} (${m / 60} hour${m === 60 ? '' : 's'})`;
  return plain;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Where a group's host key may go, said briefly when it is a whole class of editions. */
function installableOn(c: Catalogue, hostEditions: string[]): string {
  const set = new Set(hostEditions);
  const same = (ids: string[]): boolean => ids.length === set.size && ids.every((id) => set.has(id));
  const of = (kind: string): string[] => c.editions.filter((e) => e.kind === kind).map((e) => e.id);
  if (set.size === 0) return '(nowhere)';
  if (same(c.editions.map((e) => e.id))) return `any edition (${set.size})`;
  if (same(of('server'))) return `server editions only (${set.size})`;
  if (same(of('client'))) return `client editions only (${set.size})`;
  return hostEditions.join(', ');
}

/** The human-readable form of `vact catalogue show`. */
export function formatCatalogue(c: Catalogue): string {
  const groups = [...c.groups].sort((a, b) => a.rank - b.rank);
  const r = c.rules;
  const out = [
    `Catalogue: ${c.name} (version ${c.version}, digest ${catalogueIdentity(c).digest})`,
    '',
    'Product-key groups (least inclusive first; a KMS host key activates its group and every group below it)',
    ...table(
      ['GROUP', 'NAME', 'HOST KEY ACTIVATES', 'HOST KEY INSTALLABLE ON'],
      groups.map((g) => [g.id, g.name, groupsActivatedBy(c, g.id).map((x) => x.id).join(', '), installableOn(c, g.hostEditions)]),
    ),
    '',
    'Editions',
    ...table(
      ['EDITION', 'NAME', 'GROUP', 'KIND', 'GENERATION', 'THRESHOLD', 'KMS CLIENT SETUP KEY'],
      groups.flatMap((g) =>
        c.editions.filter((e) => e.group === g.id).map((e) => [e.id, e.name, e.group, e.kind, e.generation, String(e.threshold), e.kmsClientSetupKey]),
      ),
    ),
    '',
    'Rules',
    ...table(
      ['RULE', 'VALUE'],
      [
        ['grace period', `${r.graceDays} days`],
        ['rearm limit', `${r.rearmLimit}`],
        ['KMS activation validity', `${r.kmsValidityDays} days`],
        ['KMS renewal interval', minutes(r.renewalIntervalMinutes)],
        ['KMS activation retry interval', minutes(r.activationIntervalMinutes)],
        ['interval bounds', `${minutes(r.minIntervalMinutes)} … ${minutes(r.maxIntervalMinutes)}`],
        ['CMID cache entry lifetime', `${r.cmidCacheLifetimeDays} days`],
        ['KMS host key', `installable on at most ${r.kmsHostKeyMaxHosts} hosts, ${r.kmsHostKeyMaxActivationsPerHost} activations per host`],
        ['allowed clock skew', minutes(r.clockSkewMinutes)],
      ],
    ),
  ];
  return `${out.join('\n')}\n`;
}

/** Prints a catalogue error (human on stderr; also JSON on stdout with --json) and sets the usage exit code. */
function fail(err: unknown, json: boolean | undefined): void {
  if (!(err instanceof VactError)) throw err;
  process.stderr.write(formatErrorText(err));
  if (json) process.stdout.write(`${JSON.stringify({ error: err.toJSON() }, null, 2)}\n`);
  process.exitCode = exitCodeForErrorCode(err.code);
}

/** Registers `vact catalogue show` and `vact catalogue check`. */
export function registerCatalogueCommand(program: Command): void {
  const catalogue = program.command('catalogue').description('show or check the product catalogue (editions, product-key groups, KMS hierarchy, rules)');

  catalogue
    .command('show')
    .description('print the product-key groups, the KMS host key hierarchy, the editions with their thresholds and public KMS client setup keys, and the rules')
    .option('--json', 'print the catalogue object as JSON')
    .option('--catalogue <file>', 'a catalogue JSON file (default: the bundled reference catalogue)')
    .action((opts: { json?: boolean; catalogue?: string }) => {
      try {
        const c = opts.catalogue === undefined ? referenceCatalogue() : loadCatalogueFile(opts.catalogue);
        process.stdout.write(opts.json ? `${JSON.stringify(c, null, 2)}\n` : formatCatalogue(c));
      } catch (err) {
        fail(err, opts.json);
      }
    });

  catalogue
    .command('check')
    .description('validate a catalogue file (exit 0 if valid, 2 with the offending field named if not)')
    .argument('<file>', 'the catalogue JSON file')
    .option('--json', 'print the result as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      try {
        const c = loadCatalogueFile(file);
        const summary = { valid: true, file, ...catalogueIdentity(c), products: c.products.length, groups: c.groups.length, editions: c.editions.length };
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(summary, null, 2)}\n`
            : `${file}: valid catalogue "${c.name}" (${summary.products} products, ${summary.groups} groups, ${summary.editions} editions), digest ${summary.digest}\n`,
        );
      } catch (err) {
        fail(err, opts.json);
      }
    });
}
