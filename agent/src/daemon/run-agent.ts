// `vact agent run`: start the daemon and its control server, stop both cleanly on SIGTERM/SIGINT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, formatErrorText, exitCodeForErrorCode, VactError } from '@vact/shared/licensing';
import { resolveAgentConfig, type RawAgentSettings } from '../config/agent-config';
import { ensureTokens } from '../tokens/control-tokens';
import { writeFileAtomic } from '../store/atomic-file';
import { startControlServer, loadTlsFiles, type ControlServer } from '../control';
import { acquireStateDirLock, type StateDirLock } from '../store/state-dir-lock';
import { startAgent, type RunningAgent } from './compose';

/** File in the state dir telling local tools where the running agent listens. */
export const CONTROL_INFO_FILE = 'control.json';

/** Exit code for an error that prevents the agent from starting. */
export function exitCodeFor(err: unknown): number {
  return err instanceof VactError ? exitCodeForErrorCode(err.code) : ExitCode.internal;
}

/** Runs the daemon until a signal; resolves with the exit code. */
export async function runAgent(flags: RawAgentSettings, configFile: string | undefined, stderr: { write(s: string): unknown } = process.stderr): Promise<number> {
  // Signals are handled from the first instant: one that arrives while starting stops the agent
  // once it has started (a supervisor may send SIGTERM as soon as it sees the listening line).
  let signalled: ((signal: string) => void) | null = null;
  let early: string | null = null;
  const onSignal = (signal: string): void => {
    if (signalled) signalled(signal);
    else early ??= signal;
  };
  const onTerm = (): void => onSignal('SIGTERM');
  const onInt = (): void => onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const removeHandlers = (): void => {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  };

  let agent: RunningAgent | null = null;
  let server: ControlServer | null = null;
  let lock: StateDirLock | null = null;
  let madeDir: string | null = null;
  try {
    const config = resolveAgentConfig(flags, configFile);
    madeDir = makeStateDir(config.stateDir);
    // One agent per state dir: a second one is refused before it writes anything.
    lock = acquireStateDirLock(config.stateDir);
    agent = await startAgent(config);
    const tokens = ensureTokens(config.stateDir);
    const tls = config.tlsCert && config.tlsKey ? loadTlsFiles(config.tlsCert, config.tlsKey) : undefined;
    const logger = agent.logger;
    server = await startControlServer({
      service: agent.service,
      tokens,
      host: config.control.host,
      port: config.control.port,
      ...(tls ? { tls } : {}),
      log: (level, message, data) => logger[level](message, data),
    });
    writeFileAtomic(path.join(config.stateDir, CONTROL_INFO_FILE), `${JSON.stringify({ url: server.url, pid: process.pid })}\n`, 0o600);
    logger.info(`control API listening on ${server.url}`);
    // One stable line on stdout for scripts and tests that start the agent on port 0.
    process.stdout.write(`vact agent listening on ${server.url}\n`);
    agent.scanHardwareInBackground();
  } catch (err) {
    await server?.close().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    lock?.release();
    // A refused start leaves no half-made state dir behind (only what this start created goes).
    if (madeDir) fs.rmSync(madeDir, { recursive: true, force: true });
    removeHandlers();
    const e = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.stack ?? String(err));
    stderr.write(formatErrorText(e));
    return exitCodeFor(err);
  }
  const running = agent;
  const srv = server;
  const held = lock;
  return new Promise<number>((resolve) => {
    let stopping = false;
    signalled = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      running.logger.info(`received ${signal}, stopping`);
      void (async () => {
        await srv.close().catch(() => undefined);
        await running.stop().catch(() => undefined);
        // control.json stays, marked stopped, so the CLI can say which agent last ran here.
        writeStoppedInfo(running.config.stateDir);
        held.release();
        removeHandlers();
        resolve(ExitCode.ok);
      })();
    };
    if (early) signalled(early);
  });
}

/** Creates the state dir if needed; returns the top-most directory this call created, or null. */
function makeStateDir(dir: string): string | null {
  let top: string | null = null;
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) top = d;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return top;
}

function writeStoppedInfo(stateDir: string): void {
  const file = path.join(stateDir, CONTROL_INFO_FILE);
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (info['pid'] !== process.pid) return;
    writeFileAtomic(file, `${JSON.stringify({ ...info, stoppedAt: new Date().toISOString() })}\n`, 0o600);
  } catch {
    // gone or unreadable: nothing to mark
  }
}
