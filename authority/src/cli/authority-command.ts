import type { Command } from 'commander';
import { registerServeCommands } from './serve-command';
import { registerKeyCommands } from './key-commands';
import { registerProxyActivateCommand } from './proxy-activate-command';
import { registerCopyDbCommand } from './copy-db-command';

/** Registers `vact authority …`: init, serve, key issue|info|list|revoke, proxy-activate, clock, audit, copy-db. */
export function registerAuthorityCommand(program: Command): void {
  const authority = program
    .command('authority')
    .description('the central activation authority: run it, manage keys, proxy offline activations');
  registerServeCommands(authority);
  registerKeyCommands(authority);
  registerProxyActivateCommand(authority);
  registerCopyDbCommand(authority);
}
