// The `vact` program itself (name, version, help and error settings) and how a parse becomes an
// exit code: shared by the whole command tree (main.ts) and the daemon's own entry (agent-run-main.ts).
import { Command, CommanderError } from 'commander';
import { ExitCode } from '@vact/shared';
import { AGENT_VERSION } from '../version';
import type { ExitBox } from './command-table';

/** The `vact` root command with its settings and no subcommands. */
export function vactProgram(): Command {
  return new Command('vact')
    .description('vact: volume activation for lab fleets (KMS, MAK, offline) — agent, KMS host, authority and admin CLI')
    .version(AGENT_VERSION, '-V, --version', 'print the vact version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Every command has --help, and --json where it prints data. Exit codes: 0 ok, 1 the operation
failed, 2 usage or invalid input, 3 needs admin / access refused, 4 unreachable, 5 local state,
70 internal error. Documentation: docs/cli.md (and docs/ beside it).`)
    .exitOverride();
}

/** Parses argv with `program` and resolves with the process exit code. */
export async function runProgram(program: Command, argv: string[], exit: ExitBox): Promise<number> {
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
