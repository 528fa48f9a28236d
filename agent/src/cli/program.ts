// The `vact` program itself (name, version, help, the one error format) and how a parse becomes
// an exit code: shared by the whole command tree (main.ts) and the daemon's own entry (agent-run-main.ts).
import { Command, CommanderError } from 'commander';
import { ExitCode, VactError, formatErrorText } from '@vact/shared/licensing';
import { AGENT_VERSION } from '../version';
import type { ExitBox } from './command-table';

/** The exit-code table of `vact --help` (docs/cli.md; shared/src/errors/exit-codes.ts). */
const EXIT_CODES_HELP = `
Exit codes (the same for every command):
  0   ok
  1   the operation ran and failed (activation refused, limit reached, …)
  2   usage or invalid input (unknown command or option, bad key, duration, setting)
  3   needs admin / access refused (NEEDS_ADMIN, NEEDS_ROOT, UNAUTHORIZED, RATE_LIMITED)
  4   unreachable (no agent running, connection refused or lost, TLS certificate not trusted)
  5   local state (state dir in use, token unreadable, state file corrupt)
  70  internal error
Errors print "error CODE (number): message" and "what to do: …" (with --json: {"error": {…}}).
Environment: VACT_AGENT, VACT_STATE_DIR, VACT_TOKEN_FILE, VACT_AUTHORITY_URL stand for
--agent, --state-dir, --token-file, --url (flags win). Documentation: docs/cli.md.`;

/** The `vact` root command with its settings and no subcommands; usage errors in the one error format. */
export function vactProgram(argv: readonly string[]): Command {
  const json = argv.includes('--json');
  return new Command('vact')
    .description('vact: volume activation for lab fleets (KMS, MAK, offline) — agent, KMS host, authority and admin CLI')
    .version(AGENT_VERSION, '-V, --version', 'print the vact version')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      outputError: (text, write) => {
        const e = new VactError('USAGE', text.replace(/^error: /, '').trim()).toJSON();
        if (json) process.stdout.write(`${JSON.stringify({ error: e })}\n`);
        else write(formatErrorText(e));
      },
    })
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
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
      // `vact help` is asked for (0); a command group without its subcommand (`vact key`) is a usage error.
      if (err.code === 'commander.help') return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return ExitCode.usage;
    }
    throw err;
  }
}
