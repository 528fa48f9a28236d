import type { Command } from 'commander';
/** Registers `vact authority …` (owned by the authority work). */
export function registerAuthorityCommand(_program: Command): void {}
