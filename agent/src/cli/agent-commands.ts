import type { Command } from 'commander';
/** Registers `vact agent run` and the agent control commands (owned by the agent work). */
export function registerAgentCommands(_program: Command): void {}
