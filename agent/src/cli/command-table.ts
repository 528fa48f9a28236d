// The agent commands as one table (path, arguments, options, the control API method, its
// params, how the result reads) and one runner that connects, calls, prints and exits with
// the stable codes of exit-codes.ts. A command is a row, not another copy of the plumbing.
import type { Command } from 'commander';
import { ExitCode, exitCodeForErrorCode, formatErrorText, type ErrorData, type ControlMethodName, type ControlParamsInput, type ControlResult } from '@vact/shared';
import type { ControlClient } from '@vact/shared/node';
import { CliFailure, connectAgent, errorDataOf, withConnectionOptions, type ConnectionFlags } from './agent-connection';

/** Where a command's exit code goes: main() returns it (no process-wide channel). */
export interface ExitBox { code: number }

/** One agent command. `params` may throw (a usage error, printed before anything is sent). */
export interface AgentCommandSpec<M extends ControlMethodName = ControlMethodName> {
  /** e.g. ['key', 'install'] */
  path: readonly string[];
  description: string;
  args?: readonly { name: string; description: string }[];
  options?: readonly { flags: string; description: string }[];
  method: M;
  params: (args: string[], flags: Record<string, unknown>) => ControlParamsInput<M> | Promise<ControlParamsInput<M>>;
  render: (result: ControlResult<M>, client: ControlClient, flags: Record<string, unknown>) => string;
  /** Instead of call + render: a command that keeps running (e.g. `events --follow`); null to run normally. Resolves with the exit code. */
  stream?: (client: ControlClient, params: ControlParamsInput<M>, flags: Record<string, unknown>) => Promise<number> | null;
  /** A failure the result reports (e.g. the activation a key install started): printed too, and it sets the exit code. */
  failure?: (result: ControlResult<M>) => ErrorData | null;
}

/** Builds a row with its method's types checked. */
export function agentCommand<M extends ControlMethodName>(spec: AgentCommandSpec<M>): AgentCommandSpec {
  return spec;
}

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Prints an error (message + what to do); returns its exit code. */
export function reportError(err: unknown, json: boolean): number {
  const data = errorDataOf(err);
  if (json) write(process.stdout, JSON.stringify({ error: { code: data.code, number: data.number, message: data.message, hint: data.hint, ...(data.details ? { details: data.details } : {}) } }));
  else write(process.stderr, formatErrorText(data));
  return err instanceof CliFailure ? err.exitCode : exitCodeForErrorCode(data.code);
}

/** Runs one command: params, connect, call, print, close; never throws. */
async function run(spec: AgentCommandSpec, args: string[], flags: ConnectionFlags & Record<string, unknown>): Promise<number> {
  const json = flags.json === true;
  let params: ControlParamsInput<ControlMethodName>;
  try {
    params = await spec.params(args, flags);
  } catch (err) {
    return reportError(err, json);
  }
  let client: ControlClient | null = null;
  try {
    client = await connectAgent(flags);
    const streaming = spec.stream?.(client, params, flags) ?? null;
    if (streaming) return await streaming;
    const result = await client.call(spec.method, params);
    write(process.stdout, json ? JSON.stringify(result, null, 2) : spec.render(result, client, flags));
    const failed = spec.failure?.(result) ?? null;
    if (failed === null) return ExitCode.ok;
    if (!json) write(process.stderr, formatErrorText(failed));
    return exitCodeForErrorCode(failed.code);
  } catch (err) {
    return reportError(err, json);
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** Registers every row under `program`, creating parent commands (`key`, `offline`…) as needed. */
export function registerCommandTable(program: Command, specs: readonly AgentCommandSpec[], parents: Readonly<Record<string, string>>, exit: ExitBox): void {
  const made = new Map<string, Command>();
  for (const spec of specs) {
    let parent = program;
    for (let i = 0; i < spec.path.length - 1; i++) {
      const name = spec.path.slice(0, i + 1).join(' ');
      let cmd = made.get(name) ?? parent.commands.find((c) => c.name() === spec.path[i]);
      if (!cmd) {
        cmd = parent.command(spec.path[i]).description(parents[name] ?? '');
      }
      made.set(name, cmd);
      parent = cmd;
    }
    const cmd = withConnectionOptions(parent.command(spec.path[spec.path.length - 1]).description(spec.description));
    for (const a of spec.args ?? []) cmd.argument(`<${a.name}>`, a.description);
    for (const o of spec.options ?? []) cmd.option(o.flags, o.description);
    cmd.action(async (...actionArgs: unknown[]) => {
      const positional = actionArgs.slice(0, spec.args?.length ?? 0) as string[];
      const flags = actionArgs[spec.args?.length ?? 0] as ConnectionFlags & Record<string, unknown>;
      exit.code = await run(spec, positional, flags);
    });
  }
}
