// `vact plan INVENTORY`: map every computer of an inventory to KMS, MAK or no activation by
// the planning guide's rules, and print the worksheet, zones, keys and warnings (or JSON, CSV,
// an HTML report). Bad rows are all reported (line, column, reason) with exit 2.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { computePlan, ExitCode, formatErrorText, referenceCatalogue, VactError, type Catalogue, type InventoryRow, type Plan } from '@vact/shared';
import { loadCatalogueFile } from '../cli/catalogue-command';
import { formatProblems, InputError, readInventory } from './input-file';
import { planCsv, formatPlan } from './plan-text';
import { planHtml } from './plan-report';

/** The catalogue named by --catalogue, or the reference one. */
export function catalogueOption(file: string | undefined): Catalogue {
  return file === undefined ? referenceCatalogue() : loadCatalogueFile(file);
}

/** Reads and plans an inventory file; throws InputError for bad rows. */
export function planFile(file: string, c: Catalogue): { plan: Plan; inventory: InventoryRow[] } {
  const inventory = readInventory(file, c).rows;
  return { plan: computePlan(inventory, c), inventory };
}

/** Reports an input or catalogue error (stderr; JSON on stdout with --json) and sets exit 2. */
export function failInput(err: unknown, json: boolean | undefined): void {
  if (err instanceof InputError) {
    const e = new VactError('INVALID_REQUEST', `${err.file}: ${err.problems.length} problem(s); nothing was computed`);
    process.stderr.write(`${formatErrorText({ ...e.toJSON(), hint: 'Fix the rows and fields listed below.' })}${formatProblems(err)}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'INVALID_REQUEST', message: err.message, file: err.file }, problems: err.problems }, null, 2)}\n`);
  } else if (err instanceof VactError) {
    process.stderr.write(formatErrorText(err));
    if (json) process.stdout.write(`${JSON.stringify({ error: err.toJSON() }, null, 2)}\n`);
  } else throw err;
  process.exitCode = ExitCode.usage;
}

export interface PlanOptions { json?: boolean; csv?: boolean; html?: string; catalogue?: string; simulate?: boolean; days?: string; svg?: string }

/** Registers `vact plan`; `runSimulation` is the simulate command's runner, for --simulate. */
export function registerPlanCommand(program: Command, runSimulation: (plan: Plan, inventory: InventoryRow[], c: Catalogue, opts: PlanOptions) => void): void {
  program
    .command('plan')
    .description('plan volume activation from an inventory: KMS, MAK or none per row (Table 2), KMS hosts per zone (Table 1), keys (Tables 3-5), warnings')
    .argument('<inventory>', `CSV (or JSON array of the same fields) with the header
name,count,edition,vm,zone,reaches_core_kms,connects_every_days,internet,needs_activation`)
    .option('--json', 'print the plan as JSON (rows, totals, zones, keys, warnings)')
    .option('--csv', 'print the worksheet as CSV')
    .option('--html <file>', 'also write a self-contained HTML report (worksheet and a diagram of zones, hosts and keys)')
    .option('--simulate', 'rehearse the plan as a scenario over a year (see `vact simulate`)')
    .option('--days <n>', 'with --simulate: days to simulate', '365')
    .option('--svg <file>', 'with --simulate: write the chart of counts and license states')
    .option('--catalogue <file>', 'a catalogue JSON file (default: the bundled reference catalogue)')
    .addHelpText('after', `
Columns: zone = network segment (the core network is "core"); reaches_core_kms = yes/no, the zone
reaches the core KMS hosts on TCP 1688; connects_every_days = a number or never; internet = yes/no;
needs_activation = no for a lab rebuilt within 120 days (30-day grace + 3 rearms).
Example:
  name,count,edition,vm,zone,reaches_core_kms,connects_every_days,internet,needs_activation
  hq-desktops,400,client-enterprise,no,core,yes,1,yes,yes
  site-b,12,client-professional,no,site-b,no,1,yes,yes
Rules and examples: docs/planning.md. Exit 0 planned, 2 bad inventory (every bad row listed).`)
    .action((file: string, opts: PlanOptions) => {
      let plan: Plan;
      let inventory: InventoryRow[];
      let c: Catalogue;
      try {
        c = catalogueOption(opts.catalogue);
        ({ plan, inventory } = planFile(file, c));
      } catch (err) {
        failInput(err, opts.json);
        return;
      }
      if (opts.simulate) {
        runSimulation(plan, inventory, c, opts);
        return;
      }
      if (opts.html) writeFileSync(opts.html, planHtml(plan, file));
      process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : opts.csv ? planCsv(plan) : formatPlan(plan));
    });
}
