// The slmgr-style agent commands of the `vact` CLI (DESIGN §6), as rows of one table: each talks
// to an agent through the control API, prints slmgr-like text or --json, and exits with the
// stable codes of exit-codes.ts (the runner is command-table.ts).
import type { Command } from 'commander';
import { VactError, parseDuration } from '@vact/shared';
import { EVENTS_COMMAND } from './events-command';
import { registerAgentGroup } from './agent-run-command';
import { registerAgentServiceCommands } from './agent-service-command';
import { agentCommand, registerCommandTable, type AgentCommandSpec, type ExitBox } from './command-table';
import {
  activateText, clockText, expiryText, hardwareRescanText, keyInstallText, keyUninstallText,
  offlineConfirmText, offlineIidText, rearmText, statusText,
} from './output/license-output';
import { hostClientsText, hostStatusText, kmsDomainsText, kmsShowText } from './output/kms-output';

/** `--activation 2h` / `--renewal 7d` -> whole minutes within 15 minutes … 30 days; throws INVALID_DURATION. */
export function intervalMinutes(flag: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const t = typeof text === 'string' ? text : JSON.stringify(text);
  const ms = parseDuration(t);
  if (ms % 60_000 !== 0 || ms < 15 * 60_000 || ms > 30 * 86_400_000) {
    throw new VactError('INVALID_DURATION', `${flag} ${t}: an interval is whole minutes from 15m to 30d`);
  }
  return ms / 60_000;
}

/** The most a product key read from standard input may be (a key is 29 characters). */
const MAX_STDIN_KEY = 1024;

/** Reads one product key from standard input (its first line); throws INVALID_KEY when there is none. */
export async function readKeyFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk).toString('utf8');
    if (text.includes('\n') || text.length > MAX_STDIN_KEY) break;
  }
  const key = text.split(/\r?\n/)[0].trim();
  if (key === '' || key.length > 64) throw new VactError('INVALID_KEY', key === '' ? 'no key on standard input (`vact key install -` reads one line)' : 'standard input does not hold one product key');
  return key;
}

/** Descriptions of the parent commands the rows create. */
const PARENTS: Readonly<Record<string, string>> = {
  key: 'install or remove the product key (admin)',
  offline: 'offline (phone/removable media) activation of a MAK',
  hardware: 'the hardware identity of the machine',
  clock: "the agent's clock",
  kms: 'KMS client settings: host, domains, intervals (slmgr /skms, /ckms, /sai, /sri, /sprt)',
  'kms domain': 'DNS domains searched for _vlmcs._tcp SRV records',
  host: 'the KMS host on this machine',
};

/** Every agent control command, in the order `--help` lists them. */
export const AGENT_COMMANDS: readonly AgentCommandSpec[] = [
  agentCommand({
    path: ['status'], description: 'show the license state (slmgr /dli; -v: /dlv)', method: 'status',
    options: [{ flags: '-v, --verbose', description: 'show everything (slmgr /dlv)' }],
    params: (_a, f) => ({ verbose: f['verbose'] === true }),
    render: (s, _c, f) => statusText(s, f['verbose'] === true),
  }),
  agentCommand({
    path: ['expiry'], description: 'show when the license state ends (slmgr /xpr)', method: 'expiry',
    params: () => ({}), render: (e, c) => expiryText(e, c.handshake.agent.edition),
  }),
  agentCommand({
    path: ['activate'], description: 'activate now with the installed key (slmgr /ato)', method: 'activate',
    params: () => ({}), render: (s) => activateText(s),
  }),
  agentCommand({
    path: ['key', 'install'], description: 'install a product key; a MAK is activated at once (slmgr /ipk, then /ato)', method: 'key.install',
    args: [{ name: 'key', description: 'product key XXXXX-XXXXX-XXXXX-XXXXX-XXXXX, or - to read it from standard input (out of ps and shell history)' }],
    options: [{ flags: '--no-activate', description: 'only install the key; activate later with `vact activate`' }],
    params: async ([key], f) => ({ key: key === '-' ? await readKeyFromStdin() : key, ...(f['activate'] === false ? { activate: false } : {}) }),
    render: (r) => keyInstallText(r),
    // The activation the install started failed: the key stays installed (as after slmgr /ipk + /ato), the exit code says so.
    failure: (r) => (r.activation.attempted && !r.activation.succeeded ? r.activation.error : null),
  }),
  agentCommand({
    path: ['key', 'uninstall'], description: 'remove the product key; the machine becomes Unlicensed (slmgr /upk)', method: 'key.uninstall',
    params: () => ({}), render: (s) => keyUninstallText(s),
  }),
  agentCommand({
    path: ['rearm'], description: 'reset the grace period and the CMID (slmgr /rearm; admin)', method: 'rearm',
    params: () => ({}), render: (s) => rearmText(s),
  }),
  agentCommand({
    path: ['offline', 'iid'], description: 'print the installation ID (slmgr /dti)', method: 'offline.iid',
    params: () => ({}), render: (r) => offlineIidText(r),
  }),
  agentCommand({
    path: ['offline', 'confirm'], description: 'install a confirmation ID (slmgr /atp; admin)', method: 'offline.confirm',
    args: [{ name: 'cid', description: 'the confirmation ID from the authority' }],
    params: ([cid]) => ({ confirmationId: cid }), render: (s) => offlineConfirmText(s),
  }),
  EVENTS_COMMAND,
  agentCommand({
    path: ['hardware', 'rescan'], description: 're-read the hardware and apply the tolerance rule (admin)', method: 'hardware.rescan',
    params: () => ({}), render: (r) => hardwareRescanText(r),
  }),
  agentCommand({
    path: ['clock', 'now'], description: "show the agent's time and trusted time", method: 'clock.now',
    params: () => ({}), render: (r) => clockText(r),
  }),
  agentCommand({
    path: ['clock', 'advance'], description: 'move a simulated clock forward (agent started with --clock sim; admin)', method: 'clock.advance',
    args: [{ name: 'duration', description: 'e.g. 90s, 15m, 2h, 7d, 1d12h' }],
    params: ([d]) => ({ ms: parseDuration(d) }), render: (r) => clockText(r),
  }),
  agentCommand({
    path: ['kms', 'set'], description: 'use this KMS host, not DNS discovery (slmgr /skms; admin)', method: 'kms.set',
    args: [{ name: 'host', description: 'HOST or HOST:PORT (default port 1688)' }],
    params: ([host]) => ({ host: host }), render: (r) => kmsShowText(r),
  }),
  agentCommand({
    path: ['kms', 'clear'], description: 'forget the static KMS host; discover hosts in DNS again (slmgr /ckms; admin)', method: 'kms.clear',
    params: () => ({}), render: (r) => kmsShowText(r),
  }),
  agentCommand({
    path: ['kms', 'intervals'], description: 'set the activation (retry) and renewal intervals, 15m … 30d (slmgr /sai, /sri; admin)', method: 'kms.intervals',
    options: [
      { flags: '--activation <duration>', description: 'retry interval while not activated, e.g. 2h' },
      { flags: '--renewal <duration>', description: 'renewal interval once activated, e.g. 7d' },
    ],
    params: (_a, f) => {
      const activationMinutes = intervalMinutes('--activation', f['activation']);
      const renewalMinutes = intervalMinutes('--renewal', f['renewal']);
      if (activationMinutes === undefined && renewalMinutes === undefined) throw new VactError('INVALID_DURATION', 'give --activation DURATION, --renewal DURATION or both');
      return { ...(activationMinutes !== undefined ? { activationMinutes } : {}), ...(renewalMinutes !== undefined ? { renewalMinutes } : {}) };
    },
    render: (r) => kmsShowText(r),
  }),
  agentCommand({
    path: ['kms', 'port'], description: 'the TCP port a KMS host on this machine listens on (slmgr /sprt; admin)', method: 'kms.port',
    args: [{ name: 'port', description: '1 to 65535 (default 1688)' }],
    params: ([p]) => {
      const port = Number(p);
      if (!/^\d+$/.test(String(p)) || port < 1 || port > 65535) throw new VactError('INVALID_CONFIG', `port "${String(p)}": expected a whole number from 1 to 65535`, { setting: 'kms-port' });
      return { port };
    },
    render: (r) => kmsShowText(r),
  }),
  agentCommand({
    path: ['kms', 'domain', 'add'], description: 'search this DNS domain for KMS hosts (admin)', method: 'kms.domain.add',
    args: [{ name: 'domain', description: 'e.g. lab.example' }], params: ([d]) => ({ domain: d }), render: (r) => kmsDomainsText(r),
  }),
  agentCommand({
    path: ['kms', 'domain', 'remove'], description: 'stop searching this DNS domain (admin)', method: 'kms.domain.remove',
    args: [{ name: 'domain', description: 'e.g. lab.example' }], params: ([d]) => ({ domain: d }), render: (r) => kmsDomainsText(r),
  }),
  agentCommand({
    path: ['kms', 'domain', 'list'], description: 'the DNS domains searched for KMS hosts', method: 'kms.domain.list',
    params: () => ({}), render: (r) => kmsDomainsText(r),
  }),
  agentCommand({
    path: ['kms', 'show'], description: 'the KMS client: host source, cached host, last count, intervals, next renewal or retry', method: 'kms.show',
    params: () => ({}), render: (r) => kmsShowText(r),
  }),
  agentCommand({
    path: ['host', 'status'], description: 'the KMS host: count, cache, thresholds, requests, listener, DNS publishing, certificate', method: 'host.status',
    params: () => ({}), render: (r) => hostStatusText(r),
  }),
  agentCommand({
    path: ['host', 'clients'], description: 'every CMID in the KMS host cache (duplicate CMIDs flagged)', method: 'host.clients',
    params: () => ({}), render: (r) => hostClientsText(r),
  }),
];

/** Registers `vact agent run` and the agent control commands. */
export function registerAgentCommands(program: Command, exit: ExitBox): void {
  const agentCmd = registerAgentGroup(program);
  registerAgentServiceCommands(agentCmd, exit);
  registerCommandTable(program, AGENT_COMMANDS, PARENTS, exit);
}
