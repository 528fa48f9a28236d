import { Command, CommanderError } from 'commander';
import { registerAuthorityCommand } from '@vact/authority/cli';
import { ExitCode } from '@vact/shared';
import { registerCatalogueCommand } from './catalogue-command';
import { registerAgentCommands } from './agent-commands';
import { registerLabCommand } from '../lab/lab-command';

/** Builds the whole `vact` command tree; each concern registers its own subcommands. */
export function buildProgram(): Command {
  const program = new Command('vact')
    .description('vact: volume activation for lab fleets (KMS, MAK, offline) — agent, KMS host, authority and admin CLI')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCatalogueCommand(program);
  registerAuthorityCommand(program);
  registerAgentCommands(program);
  registerLabCommand(program);
  return program;
}

/** Runs the CLI and resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return ExitCode.ok;
      return ExitCode.usage;
    }
    throw err;
  }
}
