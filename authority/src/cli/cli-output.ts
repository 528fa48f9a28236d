// How `vact authority …` commands print results and errors (human text or --json).
import { InvalidArgumentError } from 'commander';
import { VactError, exitCodeForErrorCode, formatErrorText } from '@vact/shared';

export interface OutputOptions { json?: boolean }

/** Prints data: JSON with --json (times as ISO 8601 strings), else the human text. */
export function printResult(opts: OutputOptions, data: unknown, human: () => string): void {
  process.stdout.write(opts.json ? JSON.stringify(data, isoTimes, 2) + '\n' : human().replace(/\n?$/, '\n'));
}

/** The CLI's JSON convention: every time (`…At`, a clock's `now`) is an ISO 8601 string, not milliseconds. */
export function isoTimes(this: unknown, key: string, value: unknown): unknown {
  return typeof value === 'number' && (/At$/.test(key) || key === 'at' || key === 'now') && Number.isFinite(value) ? new Date(value).toISOString() : value;
}

/** Prints an error (what went wrong and what to do) and sets the exit code. */
export function reportError(opts: OutputOptions, err: unknown): void {
  const e = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.message ?? String(err));
  if (opts.json) process.stdout.write(JSON.stringify({ error: e.toJSON() }, null, 2) + '\n');
  else process.stderr.write(formatErrorText(e));
  process.exitCode = exitCodeForErrorCode(e.code);
}

/** Runs a command action, turning any failure into a printed error and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // Commander passes the Command last; its options say whether --json was asked for.
    const cmd = args[args.length - 1] as { opts?: () => OutputOptions } | undefined;
    const opts = typeof cmd?.opts === 'function' ? cmd.opts() : {};
    try {
      await fn(...args);
    } catch (err) {
      reportError(opts, err);
    }
  };
}


/** An option parser for one of `values`, in any case (`--type MAK` = `--type mak`). */
export function oneOf<T extends string>(values: readonly T[]): (text: string) => T {
  return (text) => {
    const v = text.toLowerCase() as T;
    if (!values.includes(v)) throw new InvalidArgumentError(`expected one of ${values.join(', ')} (any case), not "${text}"`);
    return v;
  };
}
