// `vact authority key …`, `clock …` and `audit`: admin operations over the API with the admin token.
import * as fs from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Command, Option } from 'commander';
import { VactError, type KeyInfo } from '@vact/shared';
import { AuthorityClient, DEFAULT_AUTHORITY_URL } from '@vact/shared/node';
import { readAdminToken, runningAuthorityUrl } from '../config/authority-dir';
import { action, oneOf, printResult } from './cli-output';

export interface ConnectionOptions { url?: string; dir?: string; tokenFile?: string; ca?: string; json?: boolean }

/** The environment variable that stands for --url. */
export const AUTHORITY_URL_ENV = 'VACT_AUTHORITY_URL';

/** --url, else VACT_AUTHORITY_URL, else the authority served from the local --dir, else the default. */
export function authorityUrlOf(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (opts.url) return opts.url;
  if (env[AUTHORITY_URL_ENV]) return env[AUTHORITY_URL_ENV];
  if (opts.dir) return runningAuthorityUrl(opts.dir);
  return DEFAULT_AUTHORITY_URL;
}

/** Adds the options every command that talks to an authority takes. */
export function withConnection(cmd: Command, admin: boolean): Command {
  cmd.option('--url <URL>', `authority URL (env ${AUTHORITY_URL_ENV}; default: the one serving --dir on this machine, else ${DEFAULT_AUTHORITY_URL})`)
    .option('--ca <FILE>', 'trust this CA certificate (PEM) for an https authority')
    .option('--json', 'print the result as JSON');
  if (admin) {
    cmd.option('--dir <D>', 'authority directory (reads its admin token)')
      .option('--token-file <FILE>', 'file holding the admin token');
  }
  return cmd;
}

/** A client for the options given; with `admin`, the admin token is required. */
export function clientFor(opts: ConnectionOptions, admin: boolean): AuthorityClient {
  let ca: Buffer | undefined;
  if (opts.ca) {
    try { ca = fs.readFileSync(opts.ca); } catch (err) {
      throw new VactError('INVALID_CONFIG', `cannot read --ca ${opts.ca}: ${(err as Error).message}`);
    }
  }
  return new AuthorityClient({ url: authorityUrlOf(opts), ca, adminToken: admin ? readAdminToken(opts) : undefined });
}

/**
 * Revoking cannot be undone: on a terminal ask, elsewhere insist on --yes. Throws USAGE (no
 * terminal) or a refusal when the answer is not yes; nothing is sent to the authority then.
 */
async function confirmRevoke(key: string): Promise<void> {
  if (!process.stdin.isTTY) {
    throw new VactError('USAGE', `revoking ${key} cannot be undone and there is no terminal to confirm it: add --yes`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Revoke ${key}? Machines cannot activate with it any more; activations already made stay valid. This cannot be undone. [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new VactError('NOT_CONFIRMED', `${key} was not revoked`);
  } finally {
    rl.close();
  }
}

const when = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

/** Human text of one key (key info). */
export function describeKey(k: KeyInfo): string {
  const lines = [
    `Key:        ${k.key}`,
    `Type:       ${k.type === 'mak' ? 'MAK' : 'KMS host key'}`,
    `Group:      ${k.group}`,
    k.type === 'mak'
      ? `Activations: ${k.used} of ${k.limit} used, ${k.remaining} remaining`
      : `Hosts:      ${k.used} of ${k.limit} used, ${k.remaining} remaining`,
    `Issued:     ${when(k.issuedAt)}`,
    `Status:     ${k.revoked ? `revoked ${when(k.revokedAt)}` : 'active'}`,
  ];
  if (k.note) lines.push(`Note:       ${k.note}`);
  for (const h of k.hosts ?? []) {
    lines.push(`  host ${h.hardwareHash} (${h.edition}): ${h.activations} activations, ${h.activationsRemaining} remaining, last ${when(h.lastActivatedAt)}`);
  }
  return lines.join('\n');
}

/** Adds `key issue|info|list|revoke`, `clock now|advance` and `audit` under `vact authority`. */
export function registerKeyCommands(authority: Command): void {
  const key = authority.command('key').description('issue, inspect, list and revoke MAKs and KMS host keys (admin)');

  withConnection(key.command('issue')
    .description('issue a new key; only keys issued by this authority activate')
    .addOption(new Option('--type <TYPE>', 'key type: mak or kms-host (any case)').argParser(oneOf(['mak', 'kms-host'] as const)).makeOptionMandatory())
    .requiredOption('--group <GROUP>', 'product key group (`vact catalogue show`)')
    .option('--limit <N>', 'MAK activation limit (default 100; KMS host keys follow the catalogue: 6 hosts, 10 activations each)')
    .option('--note <TEXT>', 'free text kept with the key'), true)
    .action(action(async (opts: ConnectionOptions & { type: 'mak' | 'kms-host'; group: string; limit?: string; note?: string }) => {
      let limit: number | undefined;
      if (opts.limit !== undefined) {
        if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1) throw new VactError('INVALID_CONFIG', `--limit must be a whole number ≥ 1, not "${opts.limit}"`);
        limit = Number(opts.limit);
      }
      const info = await clientFor(opts, true).issueKey({ type: opts.type, group: opts.group, ...(limit !== undefined ? { limit } : {}), ...(opts.note !== undefined ? { note: opts.note } : {}) });
      printResult(opts, info, () => `${info.key}\n${describeKey(info).split('\n').slice(1).join('\n')}`);
    }));

  withConnection(key.command('info').argument('<KEY>', 'product key').description('type, group, limit, used, remaining and per-host usage of a key'), true)
    .action(action(async (k: string, opts: ConnectionOptions) => {
      const info = await clientFor(opts, true).keyInfo(k);
      printResult(opts, info, () => describeKey(info));
    }));

  withConnection(key.command('list').description('every issued key'), true)
    .action(action(async (opts: ConnectionOptions) => {
      const keys = await clientFor(opts, true).listKeys();
      printResult(opts, { keys }, () => keys.length === 0 ? 'No keys issued yet.' : keys.map((k) =>
        `${k.key}  ${k.type.padEnd(8)} ${k.group.padEnd(10)} ${`${k.used}/${k.limit}`.padStart(9)}  ${k.revoked ? 'revoked' : 'active '}  ${k.note ?? ''}`.trimEnd()).join('\n'));
    }));

  withConnection(key.command('revoke').argument('<KEY>', 'product key').description('refuse further activations with a key (existing ones stay valid); asks on a terminal')
    .option('--yes', 'do not ask for confirmation (for scripts)'), true)
    .action(action(async (k: string, opts: ConnectionOptions & { yes?: boolean }) => {
      const client = clientFor(opts, true);
      if (opts.yes !== true) await confirmRevoke(k);
      const info = await client.revokeKey(k);
      printResult(opts, info, () => `Revoked ${info.key}`);
    }));

  const clock = authority.command('clock').description('the authority clock (advance only with serve --clock sim)');
  withConnection(clock.command('now').description('print the authority clock'), false)
    .action(action(async (opts: ConnectionOptions) => {
      const c = await clientFor(opts, false).clock();
      printResult(opts, c, () => `${new Date(c.now).toISOString()} (${c.kind} clock)`);
    }));
  withConnection(clock.command('advance').argument('<DURATION>', 'e.g. 90s, 15m, 2h, 7d, 1d12h').description('move a simulated authority clock forward (admin)'), true)
    .action(action(async (by: string, opts: ConnectionOptions) => {
      const c = await clientFor(opts, true).advanceClock(by);
      printResult(opts, c, () => `${new Date(c.now).toISOString()} (${c.kind} clock)`);
    }));

  withConnection(authority.command('audit').description('the audit trail, newest first: keys issued/revoked and every activation attempt (admin)')
    .option('--limit <N>', 'entries to show', '50'), true)
    .action(action(async (opts: ConnectionOptions & { limit: string }) => {
      const n = Number(opts.limit);
      if (!Number.isInteger(n) || n < 1) throw new VactError('INVALID_CONFIG', `--limit must be a whole number ≥ 1, not "${opts.limit}"`);
      const entries = await clientFor(opts, true).auditTrail(n);
      printResult(opts, { entries }, () => entries.map((e) =>
        `${when(e.at)}  ${e.action.padEnd(17)} ${(e.partialKey ?? '-----').padEnd(5)}  ${e.result.padEnd(24)} ${e.who}${e.cmid ? ` cmid=${e.cmid}` : ''}`).join('\n') || 'No audit entries.');
    }));
}
