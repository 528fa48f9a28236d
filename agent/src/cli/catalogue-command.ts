import type { Command } from 'commander';
/** Registers `vact catalogue …` (owned by the catalogue work). */
export function registerCatalogueCommand(_program: Command): void {}
