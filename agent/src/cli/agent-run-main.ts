// The entry of `vact agent run`, the long-running daemon: the `vact` program with only this command,
// so the daemon's process does not load (or keep in memory) the rest of the command tree, the
// planning and lab commands, their renderers, or the control API client. bin/vact.js picks it.
import type { ExitBox } from './command-table';
import { registerAgentGroup } from './agent-run-command';
import { runProgram, vactProgram } from './program';

/** Runs `vact agent run …` (argv as process.argv) and resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const exit: ExitBox = { code: -1 };
  const program = vactProgram(argv);
  registerAgentGroup(program);
  return runProgram(program, argv, exit);
}
