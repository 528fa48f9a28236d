/**
 * The one catalogue of vact error codes. Numbers and names are stable: scripts and
 * the control/authority APIs carry them. Owner: foundation (issue 2).
 * CONTRACT (filled in by the shared-keys helper): every code has a number, a message
 * template and a hint saying what to do.
 */
export const ErrorCodes = {
  // placeholder: the real table is written by the shared-keys/catalogue work
} as const;

export type ErrorCodeName = string;

/** An error that carries a stable catalogue code; thrown by domain code, mapped to exit codes and API errors at the edges. */
export class VactError extends Error {
  constructor(
    public readonly code: ErrorCodeName,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'VactError';
  }
}
