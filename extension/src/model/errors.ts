// How an error is told to the user: the error catalogue's message, its code, and what to do.
import { ErrorCodes, isErrorCodeName } from '@vact/shared';

export interface Described {
  code: string;
  message: string;
  hint: string;
}

/** Reads the catalogue fields of a ControlCallError/VactError; falls back to the error message. */
export function describeError(err: unknown): Described {
  const e = err as { code?: unknown; message?: unknown; hint?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : 'ERROR';
  const hint = typeof e?.hint === 'string' && e.hint ? e.hint : isErrorCodeName(code) ? ErrorCodes[code].hint : '';
  return { code, message, hint };
}

/** One line: "The MAK has reached its activation limit (MAK_LIMIT_REACHED). Ask the administrator…". */
export function errorText(err: unknown): string {
  const d = describeError(err);
  return `${d.message} (${d.code}).${d.hint ? ` ${d.hint}` : ''}`;
}
