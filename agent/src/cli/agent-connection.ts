// How a `vact` agent command reaches its agent: the URL (flag, the running agent's control.json,
// or the default), the token (token file or the state dir's), and the TLS trust for wss://.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_AGENT_URL, VactError, ExitCode, type ErrorData } from '@vact/shared';
import { ControlCallError, ControlClient, readControlToken } from '@vact/shared/node';

/** Options every agent command takes. */
export interface ConnectionFlags {
  json?: boolean;
  agent?: string;
  stateDir?: string;
  tokenFile?: string;
  ca?: string;
}

/** File in the agent state dir naming the URL the running agent listens on (written by `vact agent run`). */
const CONTROL_INFO_FILE = 'control.json';

/** A failure before any call: printed like an agent error, with its own exit code. */
export class CliFailure extends Error {
  constructor(readonly data: ErrorData, readonly exitCode: number) {
    super(data.message);
  }
}

/** Adds the connection options to an agent command. */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print machine-readable JSON')
    .option('--agent <url>', `agent control URL, ws://HOST:PORT or wss://HOST:PORT (default ${DEFAULT_AGENT_URL}, or the running agent's URL from --state-dir)`)
    .option('--state-dir <dir>', "the agent's state dir: read its admin token when readable, else its user token")
    .option('--token-file <file>', 'read the control token from this file')
    .option('--ca <file>', 'trust this PEM certificate for wss:// (e.g. the agent\'s self-signed certificate)');
}

/** The error JSON of anything a command can fail with. */
export function errorDataOf(err: unknown): ErrorData {
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

/** Connects and handshakes with the agent the flags name. */
export async function connectAgent(flags: ConnectionFlags): Promise<ControlClient> {
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
