// How `vact authority …` commands print results and errors (human text or --json).
import { VactError, exitCodeForErrorCode, formatErrorText } from '@vact/shared';

export interface OutputOptions { json?: boolean }

/** Prints data: JSON with --json, else the human text. */
export function printResult(opts: OutputOptions, data: unknown, human: () => string): void {
  process.stdout.write(opts.json ? JSON.stringify(data, null, 2) + '\n' : human().replace(/\n?$/, '\n'));
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

