// How a `vact` agent command reaches its agent: the URL (flag, environment, the running agent's
// control.json in its state dir, or the default), the token (token file or the state dir's), and
// the TLS trust for wss://. Flags override the environment, the environment overrides defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_AGENT_URL, VactError, ExitCode, type ErrorData } from '@vact/shared';
import { ControlCallError, ControlClient, readControlToken } from '@vact/shared/node';
import { holderAlive, readLock } from '../store/state-dir-lock';
import { DEFAULT_STATE_DIR } from '../config/agent-config';

/** Options every agent command takes. */
export interface ConnectionFlags {
  json?: boolean;
  agent?: string;
  stateDir?: string;
  tokenFile?: string;
  ca?: string;
}


/** The environment variables that stand for the connection flags. */
export const CONNECTION_ENV = { agent: 'VACT_AGENT', stateDir: 'VACT_STATE_DIR', tokenFile: 'VACT_TOKEN_FILE' } as const;

/** File in the agent state dir naming the URL the running agent listens on (written by `vact agent run`). */
const CONTROL_INFO_FILE = 'control.json';

/** A failure before any call: printed like an agent error, with its own exit code. */
export class CliFailure extends Error {
  constructor(readonly data: ErrorData, readonly exitCode: number) {
    super(data.message);
  }
}

/** A CliFailure whose exit code is the one the error table gives its code. */
function failure(code: VactError['code'], detail: string, exitCode: number, hint?: string): CliFailure {
  const data = new VactError(code, detail).toJSON();
  return new CliFailure(hint ? { ...data, hint } : data, exitCode);
}

/** Adds the connection options to an agent command. */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print machine-readable JSON')
    .option('--agent <url>', `agent control URL, ws://HOST:PORT or wss://HOST:PORT (env ${CONNECTION_ENV.agent}; default: the running agent's URL from the state dir)`)
    .option('--state-dir <dir>', `the agent's state dir: its URL and its admin token when readable, else its user token (env ${CONNECTION_ENV.stateDir}; default ${DEFAULT_STATE_DIR})`)
    .option('--token-file <file>', `read the control token from this file (env ${CONNECTION_ENV.tokenFile})`)
    .option('--ca <file>', 'trust this PEM certificate for wss:// (e.g. the agent\'s self-signed certificate)');
}

/** The error JSON of anything a command can fail with. */
export function errorDataOf(err: unknown): ErrorData {
  if (err instanceof VactError || err instanceof ControlCallError) return err.toJSON();
  if (err instanceof CliFailure) return err.data;
  return new VactError('INTERNAL', (err as Error)?.message ?? String(err)).toJSON();
}

/** Where the connection goes and with which token, before anything is read from disk. */
export interface ResolvedConnection {
  /** An explicit URL (flag or environment), or null: take the state dir's running agent. */
  url: string | null;
  stateDir: string | null;
  tokenFile: string | null;
  /** True when the state dir is the default one (no flag, no environment). */
  defaultStateDir: boolean;
}

/** Flags over environment over defaults (a pure function of its inputs). */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): ResolvedConnection {
  const pick = (flag: string | undefined, name: string): string | null => flag ?? (env[name] ? env[name] : null);
  const url = pick(flags.agent, CONNECTION_ENV.agent);
  const tokenFile = pick(flags.tokenFile, CONNECTION_ENV.tokenFile);
  let stateDir = pick(flags.stateDir, CONNECTION_ENV.stateDir);
  // The default install is used only when nothing else names the agent or its token: a local
  // token is never sent to a URL the user named without naming the token too.
  const useDefault = stateDir === null && url === null && tokenFile === null;
  if (useDefault) stateDir = DEFAULT_STATE_DIR;
  return { url, stateDir, tokenFile, defaultStateDir: useDefault };
}

/** The URL of the agent running on `stateDir`; exit 4 when none runs there (never another URL). */
export function runningAgentUrl(stateDir: string): string {
  const holder = readLock(stateDir);
  let info: { url?: unknown; pid?: unknown; stoppedAt?: unknown } = {};
  try {
    info = JSON.parse(readFileSync(join(stateDir, CONTROL_INFO_FILE), 'utf8')) as typeof info;
  } catch {
    // no agent has listened here, or the file is unreadable
  }
  const infoPid = typeof info.pid === 'number' ? info.pid : null;
  if (holder && holderAlive(holder)) {
    if (infoPid === holder.pid && typeof info.url === 'string' && info.stoppedAt === undefined) return info.url;
    throw failure('UNREACHABLE', `the agent for ${stateDir} (PID ${holder.pid}) is starting; its control API is not listening yet`, ExitCode.unreachable, 'Wait a moment and run the command again.');
  }
  const last = infoPid ?? holder?.pid ?? null;
  throw failure('UNREACHABLE', `no agent is running for ${stateDir} (${last !== null ? `last seen PID ${last}` : 'none has run there'})`, ExitCode.unreachable,
    `Start it (\`vact agent run --state-dir ${stateDir} …\`), or name another agent with --agent URL and its token.`);
}

function checkUrl(url: string): string {
  if (!/^wss?:\/\/[^\s/]+\/?$/.test(url)) throw failure('INVALID_CONFIG', `--agent "${url}": expected ws://HOST:PORT or wss://HOST:PORT`, ExitCode.usage);
  return url;
}

function tokenOf(c: ResolvedConnection): string {
  if (c.tokenFile === null && c.stateDir === null) {
    throw failure('INVALID_CONFIG', `no token for ${c.url ?? DEFAULT_AGENT_URL}: pass --token-file FILE or --state-dir DIR (the agent's state dir)`, ExitCode.usage,
      `Name the token with --token-file FILE (env ${CONNECTION_ENV.tokenFile}) or the state dir with --state-dir DIR (env ${CONNECTION_ENV.stateDir}).`);
  }
  try {
    return readControlToken(c.tokenFile !== null ? { tokenFile: c.tokenFile } : { stateDir: c.stateDir! }).token;
  } catch (err) {
    // The token could not be read: that is local state, not a usage mistake.
    const why = errorDataOf(err).message.replace(/^The configuration is not valid: /, '');
    throw failure('TOKEN_UNREADABLE', why, ExitCode.state);
  }
}

/** Connects and handshakes with the agent the flags (or the environment) name. */
export async function connectAgent(flags: ConnectionFlags): Promise<ControlClient> {
  const c = resolveConnection(flags);
  let url: string;
  if (c.url !== null) url = checkUrl(c.url);
  else url = checkUrl(runningAgentUrl(c.stateDir!));
  const token = tokenOf(c);
  let ca: Buffer | undefined;
  if (flags.ca !== undefined) {
    try {
      ca = readFileSync(flags.ca);
    } catch (err) {
      throw failure('INVALID_CONFIG', `--ca ${flags.ca}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, ExitCode.usage);
    }
  }
  return ControlClient.connect({ url, token, clientName: 'vact-cli', ...(ca ? { ca } : {}) });
}
