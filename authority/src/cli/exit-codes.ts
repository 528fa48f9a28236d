// Exit codes of `vact authority …`; the same numbers as the rest of the vact CLI
// (agent/src/cli/exit-codes.ts, documented in docs/cli.md), repeated here because the agent
// package depends on this one and not the other way round.
import type { ErrorCodeName } from '@vact/shared';

export const AuthorityExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  needsAdmin: 3,
  unreachable: 4,
  state: 5,
  internal: 70,
} as const;
export type AuthorityExitCode = (typeof AuthorityExitCode)[keyof typeof AuthorityExitCode];

/** The exit code a command ends with when it fails with `code`. */
export function exitCodeOf(code: ErrorCodeName): AuthorityExitCode {
  switch (code) {
    case 'INVALID_CONFIG': case 'INVALID_DURATION': case 'INVALID_KEY': case 'UNKNOWN_GROUP': case 'UNKNOWN_EDITION':
      return AuthorityExitCode.usage;
    case 'UNAUTHORIZED': case 'NEEDS_ADMIN':
      return AuthorityExitCode.needsAdmin;
    case 'UNREACHABLE':
      return AuthorityExitCode.unreachable;
    case 'STATE_CORRUPT': case 'STATE_VERSION_UNSUPPORTED':
      return AuthorityExitCode.state;
    case 'INTERNAL':
      return AuthorityExitCode.internal;
    default:
      return AuthorityExitCode.failed;
  }
}
