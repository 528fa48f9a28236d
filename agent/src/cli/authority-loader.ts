// The authority is an optional part of the vact package: a lab machine runs only the agent and
// installs no database driver or native module. `vact authority …` and `vact lab` load it here, on use.
import type { Command } from 'commander';
import { VactError } from '@vact/shared';

type AuthorityCli = typeof import('@vact/authority/cli');
type AuthorityConfig = typeof import('@vact/authority/config');

function load<T>(id: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(id) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes('@vact/authority')) {
      throw new VactError('INVALID_CONFIG', 'the activation authority is not installed with this vact package (it is optional on lab machines): run it from a full vact installation, or install @vact/authority beside @vact/agent', { setting: 'authority' });
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
export function registerAuthority(program: Command, argv: readonly string[]): void {
  if (argv.slice(2).find((a) => !a.startsWith('-')) === 'authority') {
    load<AuthorityCli>('@vact/authority/cli').registerAuthorityCommand(program);
    return;
  }
  program.command('authority').description('the activation authority: init, serve, keys, proxy activation, audit (vact authority --help)')
    .allowUnknownOption().helpOption(false).argument('[args...]');
}
