// Registers the planning and rehearsal commands: `vact plan` and `vact simulate`.
import type { Command } from 'commander';
import { scenarioFromPlan } from '@vact/shared';
import { registerPlanCommand } from './plan-command';
import { registerSimulateCommand, runAndPrint } from './simulate-command';

/** Adds `vact plan` (with --simulate) and `vact simulate` to the program. */
export function registerPlanningCommands(program: Command): void {
  registerPlanCommand(program, (plan, inventory, c, opts) => {
    const days = Number(opts.days ?? '365');
    runAndPrint(scenarioFromPlan(plan, inventory, c, Number.isInteger(days) && days > 0 ? days : 365), c, opts);
  });
  registerSimulateCommand(program);
}
