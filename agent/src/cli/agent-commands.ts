// The slmgr-style agent commands of the `vact` CLI (DESIGN §6): each talks to an agent through
// the control API, prints slmgr-like text or --json, and exits with the stable codes of exit-codes.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_AGENT_URL, VactError, parseDuration, type ErrorData, ExitCode, exitCodeForErrorCode } from '@vact/shared';
import { ControlCallError, ControlClient, readControlToken } from '@vact/shared/node';
import { registerAgentRunCommand } from './agent-run-command';
import {
  activateText,
  clockText,
  eventsText,
  expiryText,
  hardwareRescanText,
  keyInstallText,
  keyUninstallText,
  offlineConfirmText,
  offlineIidText,
  rearmText,
  statusText,
} from './output/license-output';

/** Options every agent command takes. */
interface ConnectionFlags {
  json?: boolean;
  agent?: string;
  stateDir?: string;
  tokenFile?: string;
  ca?: string;
}

/** What a command prints: `json` for --json, `text` otherwise. */
interface CommandOutput {
  json: unknown;
  text: string;
}

/** File in the agent state dir naming the URL the running agent listens on (written by `vact agent run`). */
const CONTROL_INFO_FILE = 'control.json';

/** A failure before any call: printed like an agent error, with its own exit code. */
class CliFailure extends Error {
  constructor(readonly data: ErrorData, readonly exitCode: number) {
    super(data.message);
  }
}

function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print machine-readable JSON')
    .option('--agent <url>', `agent control URL, ws://HOST:PORT or wss://HOST:PORT (default ${DEFAULT_AGENT_URL}, or the running agent's URL from --state-dir)`)
    .option('--state-dir <dir>', "the agent's state dir: read its admin token when readable, else its user token")
    .option('--token-file <file>', 'read the control token from this file')
    .option('--ca <file>', 'trust this PEM certificate for wss:// (e.g. the agent\'s self-signed certificate)');
}

function errorDataOf(err: unknown): ErrorData {
  if (err instanceof VactError || err instanceof ControlCallError) return err.toJSON();
  if (err instanceof CliFailure) return err.data;
  return new VactError('INTERNAL', (err as Error)?.message ?? String(err)).toJSON();
}

function agentUrl(flags: ConnectionFlags): string {
  let url = flags.agent;
  if (url === undefined && flags.stateDir !== undefined) {
    try {
      const info = JSON.parse(readFileSync(join(flags.stateDir, CONTROL_INFO_FILE), 'utf8')) as { url?: unknown };
      if (typeof info.url === 'string') url = info.url;
    } catch {
      // No running agent recorded there: fall back to the default address.
    }
  }
  url ??= DEFAULT_AGENT_URL;
  if (!/^wss?:\/\/[^\s/]+\/?$/.test(url)) throw new VactError('INVALID_CONFIG', `--agent "${url}": expected ws://HOST:PORT or wss://HOST:PORT`);
  return url;
}

function tokenOf(flags: ConnectionFlags): string {
  const stateDir = flags.stateDir ?? (process.env.VACT_STATE_DIR || undefined);
  if (flags.tokenFile === undefined && stateDir === undefined) {
    throw new CliFailure(new VactError('UNAUTHORIZED', 'no token: pass --state-dir DIR (the agent\'s state dir) or --token-file FILE').toJSON(), ExitCode.usage);
  }
  try {
    return readControlToken(flags.tokenFile !== undefined ? { tokenFile: flags.tokenFile } : { stateDir: stateDir as string }).token;
  } catch (err) {
    // The token could not be read: that is local state, not a usage mistake.
    throw new CliFailure(errorDataOf(err), ExitCode.state);
  }
}

async function connect(flags: ConnectionFlags): Promise<ControlClient> {
  const url = agentUrl(flags);
  const token = tokenOf(flags);
  let ca: Buffer | undefined;
  if (flags.ca !== undefined) {
    try {
      ca = readFileSync(flags.ca);
    } catch (err) {
      throw new CliFailure(new VactError('INVALID_CONFIG', `--ca ${flags.ca}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`).toJSON(), ExitCode.usage);
    }
  }
  return ControlClient.connect({ url, token, clientName: 'vact-cli', ...(ca ? { ca } : {}) });
}

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Prints an error (message + what to do) and sets the exit code. */
function reportError(err: unknown, json: boolean): void {
  const data = errorDataOf(err);
  if (json) write(process.stdout, JSON.stringify({ error: { code: data.code, number: data.number, message: data.message, hint: data.hint, ...(data.details ? { details: data.details } : {}) } }));
  else write(process.stderr, `Error ${data.number} (${data.code}): ${data.message}\n  What to do: ${data.hint}`);
  process.exitCode = err instanceof CliFailure ? err.exitCode : exitCodeForErrorCode(data.code);
}

/** Runs one agent command: connect, do, print, close; never throws. */
async function runAgentCommand(flags: ConnectionFlags, body: (client: ControlClient) => Promise<CommandOutput>): Promise<void> {
  let client: ControlClient | null = null;
  try {
    client = await connect(flags);
    const out = await body(client);
    write(process.stdout, flags.json ? JSON.stringify(out.json, null, 2) : out.text);
    process.exitCode = ExitCode.ok;
  } catch (err) {
    reportError(err, flags.json === true);
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** `--since DURATION|ISO` -> events.query params; throws INVALID_DURATION. */
export function sinceParams(since: string | undefined): { since?: string; withinMs?: number } {
  if (since === undefined) return {};
  if (/^\d{4}-\d{2}-\d{2}/.test(since)) {
    const t = Date.parse(since);
    if (Number.isNaN(t)) throw new VactError('INVALID_DURATION', `--since "${since}" is neither a duration nor an ISO time`);
    return { since: new Date(t).toISOString() };
  }
  return { withinMs: parseDuration(since) };
}

/** Parses --limit. */
function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new VactError('INVALID_REQUEST', `--limit "${text}": expected a whole number from 1 to 1000`);
  return n;
}

/** Registers `vact agent run` and the agent control commands (status, expiry, activate, key, rearm, offline, events, hardware, clock). */
export function registerAgentCommands(program: Command): void {
  const agentCmd = program.command('agent').description('the vact agent daemon (one per machine)');
  registerAgentRunCommand(agentCmd);

  withConnectionOptions(program.command('status').description('show the license state (slmgr /dli; -v: /dlv)'))
    .option('-v, --verbose', 'show everything (slmgr /dlv)')
    .action((flags: ConnectionFlags & { verbose?: boolean }) =>
      runAgentCommand(flags, async (c) => {
        const s = await c.call('status', { verbose: flags.verbose === true });
        return { json: s, text: statusText(s, flags.verbose === true) };
      }),
    );

  withConnectionOptions(program.command('expiry').description('show when the license state ends (slmgr /xpr)')).action((flags: ConnectionFlags) =>
    runAgentCommand(flags, async (c) => {
      const e = await c.call('expiry', {});
      return { json: e, text: expiryText(e, c.handshake.agent.edition) };
    }),
  );

  withConnectionOptions(program.command('activate').description('activate now with the installed key (slmgr /ato)')).action((flags: ConnectionFlags) =>
    runAgentCommand(flags, async (c) => {
      const s = await c.call('activate', {});
      return { json: s, text: activateText(s) };
    }),
  );

  const key = program.command('key').description('install or remove the product key (admin)');
  withConnectionOptions(key.command('install').argument('<key>', 'product key XXXXX-XXXXX-XXXXX-XXXXX-XXXXX').description('install a product key; a MAK is activated at once (slmgr /ipk)')).action(
    (keyText: string, flags: ConnectionFlags) =>
      runAgentCommand(flags, async (c) => {
        const r = await c.call('key.install', { key: keyText });
        return { json: r, text: keyInstallText(r) };
      }),
  );
  withConnectionOptions(key.command('uninstall').description('remove the product key; the machine becomes Unlicensed (slmgr /upk)')).action((flags: ConnectionFlags) =>
    runAgentCommand(flags, async (c) => {
      const s = await c.call('key.uninstall', {});
      return { json: s, text: keyUninstallText(s) };
    }),
  );

  withConnectionOptions(program.command('rearm').description('reset the grace period and the CMID (slmgr /rearm; admin)')).action((flags: ConnectionFlags) =>
    runAgentCommand(flags, async (c) => {
      const s = await c.call('rearm', {});
      return { json: s, text: rearmText(s) };
    }),
  );

  const offline = program.command('offline').description('offline (phone/removable media) activation of a MAK');
  withConnectionOptions(offline.command('iid').description('print the installation ID (slmgr /dti)')).action((flags: ConnectionFlags) =>
    runAgentCommand(flags, async (c) => {
      const r = await c.call('offline.iid', {});
      return { json: r, text: offlineIidText(r) };
    }),
  );
  withConnectionOptions(offline.command('confirm').argument('<cid>', 'the confirmation ID from the authority').description('install a confirmation ID (slmgr /atp; admin)')).action(
    (cid: string, flags: ConnectionFlags) =>
      runAgentCommand(flags, async (c) => {
        const s = await c.call('offline.confirm', { confirmationId: cid });
        return { json: s, text: offlineConfirmText(s) };
      }),
  );

  withConnectionOptions(program.command('events').description('show the activation event log (ids 12288/12289/12290 and the agent\'s own)'))
    .option('--since <since>', 'only events of the last DURATION (e.g. 7d, on the agent\'s clock) or since an ISO time')
    .option('--limit <n>', 'at most this many of the most recent events (default 100, at most 1000)')
    .action((flags: ConnectionFlags & { since?: string; limit?: string }) => {
      let params: { since?: string; withinMs?: number; limit?: number };
      try {
        const limit = limitOf(flags.limit);
        params = { ...sinceParams(flags.since), ...(limit !== undefined ? { limit } : {}) };
      } catch (err) {
        reportError(err, flags.json === true);
        return;
      }
      return runAgentCommand(flags, async (c) => {
        const r = await c.call('events.query', params);
        return { json: r, text: eventsText(r.events) };
      });
    });

  const hardware = program.command('hardware').description('the hardware identity of the machine');
  withConnectionOptions(hardware.command('rescan').description('re-read the hardware and apply the tolerance rule (admin)')).action((flags: ConnectionFlags) =>
    runAgentCommand(flags, async (c) => {
      const r = await c.call('hardware.rescan', {});
      return { json: r, text: hardwareRescanText(r) };
    }),
  );

  const clock = program.command('clock').description("the agent's clock");
  withConnectionOptions(clock.command('now').description("show the agent's time and trusted time")).action((flags: ConnectionFlags) =>
    runAgentCommand(flags, async (c) => {
      const r = await c.call('clock.now', {});
      return { json: r, text: clockText(r) };
    }),
  );
  withConnectionOptions(clock.command('advance').argument('<duration>', 'e.g. 90s, 15m, 2h, 7d, 1d12h').description('move a simulated clock forward (agent started with --clock sim; admin)')).action(
    (duration: string, flags: ConnectionFlags) => {
      let ms: number;
      try {
        ms = parseDuration(duration);
      } catch (err) {
        reportError(err, flags.json === true);
        return;
      }
      return runAgentCommand(flags, async (c) => {
        const r = await c.call('clock.advance', { ms });
        return { json: r, text: clockText(r) };
      });
    },
  );
}
