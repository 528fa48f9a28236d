// Registers the planning and rehearsal commands: `vact plan` and `vact simulate`.
import type { Command } from 'commander';
import { registerPlanCommand } from './plan-command';

/** Adds `vact plan` and `vact simulate` to the program. */
export function registerPlanningCommands(program: Command): void {
  registerPlanCommand(program, () => {
    throw new Error('simulate: not yet');
  });
}
