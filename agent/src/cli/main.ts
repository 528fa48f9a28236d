import { Command, CommanderError } from 'commander';
import { ExitCode } from '@vact/shared';
import { AGENT_VERSION } from '../version';
import { registerCatalogueCommand } from './catalogue-command';
import { registerAgentCommands } from './agent-commands';
import { registerLabCommand } from '../lab/lab-command';
import { registerAuthority } from './authority-loader';
import type { ExitBox } from './command-table';
import { registerPlanningCommands } from '../plan/register';

/** Builds the whole `vact` command tree; each concern registers its own subcommands. */
export function buildProgram(argv: readonly string[] = process.argv, exit: ExitBox = { code: -1 }): Command {
  const program = new Command('vact')
    .description('vact: volume activation for lab fleets (KMS, MAK, offline) — agent, KMS host, authority and admin CLI')
    .version(AGENT_VERSION, '-V, --version', 'print the vact version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Every command has --help, and --json where it prints data. Exit codes: 0 ok, 1 the operation
failed, 2 usage or invalid input, 3 needs admin / access refused, 4 unreachable, 5 local state,
70 internal error. Documentation: docs/cli.md (and docs/ beside it).`)
    .exitOverride();
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
  const program = buildProgram(argv, exit);
  try {
    await program.parseAsync(argv);
    if (exit.code >= 0) return exit.code;
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return ExitCode.ok;
      return ExitCode.usage;
    }
    throw err;
  }
}
