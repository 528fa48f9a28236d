/** Stable exit codes of the vact CLI (documented in docs/cli.md); scripts depend on them. */
export const ExitCode = {
  ok: 0,
  /** The operation ran and reported a failure (activation refused, limit reached, …). */
  failed: 1,
  /** Bad command line: unknown command/flag, missing or invalid argument or setting. */
  usage: 2,
  /** Needs the admin token. */
  needsAdmin: 3,
  /** Could not reach the agent or authority. */
  unreachable: 4,
  /** Local state/config could not be read or is corrupt. */
  state: 5,
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
