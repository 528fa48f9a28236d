// `vact agent run`: start the daemon and its control server, stop both cleanly on SIGTERM/SIGINT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, exitCodeForErrorCode, VactError } from '@vact/shared';
import { resolveAgentConfig, type RawAgentSettings } from '../config/agent-config';
import { ensureTokens } from '../tokens/control-tokens';
import { writeFileAtomic } from '../store/atomic-file';
import { startControlServer, loadTlsFiles, type ControlServer } from '../control';
import { startAgent, type RunningAgent } from './compose';

/** File in the state dir telling local tools where the running agent listens. */
export const CONTROL_INFO_FILE = 'control.json';

/** Exit code for an error that prevents the agent from starting. */
export function exitCodeFor(err: unknown): number {
  return err instanceof VactError ? exitCodeForErrorCode(err.code) : ExitCode.internal;
}

/** Runs the daemon until a signal; resolves with the exit code. */
export async function runAgent(flags: RawAgentSettings, configFile: string | undefined, stderr: { write(s: string): unknown } = process.stderr): Promise<number> {
  let agent: RunningAgent | null = null;
  let server: ControlServer | null = null;
  try {
    const config = resolveAgentConfig(flags, configFile);
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
    const e = err instanceof VactError ? err : null;
    stderr.write(e ? `vact agent: ${e.message}\n  ${e.hint}\n` : `vact agent: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return exitCodeFor(err);
  }
  const running = agent;
  const srv = server;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      running.logger.info(`received ${signal}, stopping`);
      void (async () => {
        await srv.close().catch(() => undefined);
        await running.stop().catch(() => undefined);
        try {
          fs.unlinkSync(path.join(running.config.stateDir, CONTROL_INFO_FILE));
        } catch {
          // already gone
        }
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        resolve(ExitCode.ok);
      })();
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
