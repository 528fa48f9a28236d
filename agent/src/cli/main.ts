import type { Command } from 'commander';
import { registerCatalogueCommand } from './catalogue-command';
import { registerAgentCommands } from './agent-commands';
import { registerLabCommand } from '../lab/lab-command';
import { registerAuthority } from './authority-loader';
import type { ExitBox } from './command-table';
import { registerPlanningCommands } from '../plan/register';
import { runProgram, vactProgram } from './program';
import { hoistConnectionOptions } from './argv';

/** Builds the whole `vact` command tree; each concern registers its own subcommands. */
export function buildProgram(argv: readonly string[] = process.argv, exit: ExitBox = { code: -1 }): Command {
  const program = vactProgram(argv);
  registerCatalogueCommand(program);
  registerAuthority(program, argv, exit);
  registerAgentCommands(program, exit);
  registerLabCommand(program, exit);
  registerPlanningCommands(program);
  return program;
}

/** Runs the CLI and resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const exit: ExitBox = { code: -1 };
  const args = hoistConnectionOptions(argv);
  return runProgram(buildProgram(args, exit), args, exit);
}
