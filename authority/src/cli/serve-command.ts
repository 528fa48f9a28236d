// `vact authority init` and `vact authority serve`.
import { Command, Option } from 'commander';
import { VactError, AUTHORITY_DEFAULT_PORT } from '@vact/shared';
import { initAuthorityDir } from '../config/authority-dir';
import type * as RunAuthority from '../server/run-authority';
import { parseRateLimit } from '../server/rate-limiter';
import { action, oneOf, printResult } from './cli-output';

/** Adds `init` and `serve` under `vact authority`. */
export function registerServeCommands(authority: Command): void {
  authority
    .command('init')
    .description('create the authority root key pair (Ed25519) and admin token in a directory; never overwrites')
    .requiredOption('--dir <D>', 'authority directory (created with mode 0700)')
    .option('--json', 'print the result as JSON')
    .action(action((opts: { dir: string; json?: boolean }) => {
      const r = initAuthorityDir(opts.dir);
      printResult(opts, { dir: r.dir, publicKeyFile: r.publicKeyPath, privateKeyFile: r.privateKeyPath, adminTokenFile: r.adminTokenPath, publicKey: r.publicKey }, () => [
        `Authority created in ${r.dir}`,
        `  root public key:  ${r.publicKeyPath}   (give this file to agents: --authority-key)`,
        `  root private key: ${r.privateKeyPath}   (mode 0600; back it up, keep it secret)`,
        `  admin token:      ${r.adminTokenPath}   (mode 0600)`,
        `Start it with: vact authority serve --dir ${r.dir}`,
      ].join('\n'));
    }));

  authority
    .command('serve')
    .description('run the activation authority (HTTP JSON API under /v1; one JSON log line per request on stdout)')
    .requiredOption('--dir <D>', 'authority directory made by `vact authority init`')
    .option('--listen <HOST:PORT>', 'address to listen on (port 0 picks a free port)', `127.0.0.1:${AUTHORITY_DEFAULT_PORT}`)
    .option('--db <DB>', 'sqlite:PATH or postgres://USER@HOST:PORT/DB (default: sqlite:D/authority.db)')
    .option('--clock <KIND>', 'system, sim (a simulated clock moved by POST /v1/clock/advance, starting now) or sim:ISO-TIME', 'system')
    .option('--tls-cert <FILE>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <FILE>', 'private key of --tls-cert (PEM)')
    .option('--insecure-http', 'allow plain HTTP on a non-loopback address')
    .option('--rate-limit <RATE[/BURST]>', 'activation calls per second per client address (0 = off)', '20/100')
    .option('--catalogue <FILE>', 'catalogue JSON (default: the reference catalogue)')
    .option('--host-cert-days <N>', 'validity of KMS host certificates in days', '180')
    .addOption(new Option('--sqlite-sync <MODE>', 'SQLite durability: full survives power loss, normal survives process crashes').argParser(oneOf(['full', 'normal'] as const)).default('full'))
    .action(action(async (opts: {
      dir: string; listen: string; db?: string; clock: string; tlsCert?: string; tlsKey?: string; insecureHttp?: boolean;
      rateLimit: string; catalogue?: string; hostCertDays: string; sqliteSync: 'full' | 'normal';
    }) => {
      const hostCertificateDays = Number(opts.hostCertDays);
      if (!/^\d+$/.test(opts.hostCertDays)) throw new VactError('INVALID_CONFIG', `--host-cert-days must be a whole number, not "${opts.hostCertDays}"`);
      // The server (and its database driver) loads only for `serve`, not for every `vact` command.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runAuthority } = require('../server/run-authority') as typeof RunAuthority;
      const running = await runAuthority({
        dir: opts.dir, listen: opts.listen, db: opts.db, clock: opts.clock, tlsCert: opts.tlsCert, tlsKey: opts.tlsKey,
        insecureHttp: opts.insecureHttp, rateLimit: parseRateLimit(opts.rateLimit), catalogueFile: opts.catalogue,
        hostCertificateDays, sqliteSynchronous: opts.sqliteSync,
      });
      await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals): void => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          running.logger.info('signal', { signal });
          running.stop().then(resolve, (err: unknown) => {
            running.logger.error('shutdown failed', { error: (err as Error).message });
            process.exitCode = 70;
            resolve();
          });
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      // Everything is closed; if a stray handle still holds the loop, do not hang the service manager.
      setTimeout(() => process.exit(), 2_000).unref();
    }));
}
