// The authority is an optional part of the vact package: a lab machine runs only the agent and
// installs no database driver or native module. `vact authority …` and `vact lab` load it here, on use.
import type { Command } from 'commander';
import { VactError } from '@vact/shared';
import { reportError, type ExitBox } from './command-table';

type AuthorityCli = typeof import('@vact/authority/cli');
type AuthorityConfig = typeof import('@vact/authority/config');

function load<T>(id: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(id) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes('@vact/authority')) {
      throw new VactError('FEATURE_UNAVAILABLE', 'the activation authority is not part of this installation (the agent package leaves it out, so a lab machine has no database driver and no native module): run `vact authority …` and `vact lab` from a full vact checkout');
    }
    throw err;
  }
}

/** The authority's path conventions (root key, admin token, database) for a local authority dir. */
export function authorityConfig(): AuthorityConfig {
  return load<AuthorityConfig>('@vact/authority/config');
}

/**
 * Registers `vact authority`. The real command tree is loaded only when the command line asks
 * for it (so `vact status` never loads the authority); otherwise a placeholder keeps it in --help.
 */
export function registerAuthority(program: Command, argv: readonly string[], exit: ExitBox): void {
  if (argv.slice(2).find((a) => !a.startsWith('-')) === 'authority') {
    let cli: AuthorityCli | undefined;
    try {
      cli = load<AuthorityCli>('@vact/authority/cli');
    } catch (err) {
      if (!(err instanceof VactError)) throw err;
      // Not installed: `vact authority …` says so like any other failed command.
      program.command('authority').description('the activation authority (not part of this installation)')
        .allowUnknownOption().helpOption(false).argument('[args...]')
        .action(() => { exit.code = reportError(err, argv.includes('--json')); });
      return;
    }
    cli.registerAuthorityCommand(program);
    return;
  }
  program.command('authority').description('the activation authority: init, serve, keys, proxy activation, audit (vact authority --help)')
    .allowUnknownOption().helpOption(false).argument('[args...]');
}
