/** Stable exit codes of every `vact` command (documented in docs/cli.md); scripts depend on them. */
export const ExitCode = {
  ok: 0,
  /** The operation ran and reported a failure (activation refused, limit reached, …). */
  failed: 1,
  /** Bad command line: unknown command/flag, missing or invalid argument or setting. */
  usage: 2,
  /** Needs the admin token (or the token was wrong, or refused after too many wrong ones). */
  needsAdmin: 3,
  /** Could not reach the agent or authority. */
  unreachable: 4,
  /** Local state/config could not be read or is corrupt. */
  state: 5,
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an error of the catalogue (by code name), as documented in docs/cli.md. */
export function exitCodeForErrorCode(code: string): ExitCode {
  switch (code) {
    case 'NEEDS_ADMIN':
    case 'NEEDS_ROOT':
    case 'UNAUTHORIZED':
    case 'RATE_LIMITED':
      return ExitCode.needsAdmin;
    case 'UNREACHABLE':
    case 'CERTIFICATE_NOT_TRUSTED':
      return ExitCode.unreachable;
    case 'STATE_CORRUPT':
    case 'STATE_VERSION_UNSUPPORTED':
    case 'STATE_DIR_IN_USE':
    case 'TOKEN_UNREADABLE':
      return ExitCode.state;
    case 'INTERNAL':
      return ExitCode.internal;
    default:
      // 1xxx are input errors: the command line or what was typed into it.
      return /^(INVALID_|UNKNOWN_|PAYLOAD_TOO_LARGE|USAGE$)/.test(code) ? ExitCode.usage : ExitCode.failed;
  }
}
