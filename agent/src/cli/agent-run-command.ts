import type { Command } from 'commander';
import { runAgent } from '../daemon/run-agent';

/** Creates the `agent` command group with `vact agent run` in it. */
export function registerAgentGroup(program: Command): Command {
  const agentCmd = program.command('agent').description('the vact agent daemon (one per machine)');
  registerAgentRunCommand(agentCmd);
  return agentCmd;
}

/** Registers `vact agent run` under the `agent` command. */
export function registerAgentRunCommand(agentCmd: Command): void {
  agentCmd
    .command('run')
    .description('run the agent daemon (license lifecycle, activation, control API)')
    .option('--config <file>', 'JSON config file with the same settings (flags override it)')
    .option('--state-dir <dir>', 'state directory (state file, tokens, logs, events; env VACT_STATE_DIR; default /var/lib/vact)')
    .option('--edition <edition>', 'edition id of this machine (see `vact catalogue show`)')
    .option('--authority <url>', 'activation authority URL, e.g. http://authority.lab:8470')
    .option('--authority-key <file>', 'file with the authority public key (base64 Ed25519)')
    .option('--authority-ca <file>', 'CA certificate (PEM) to trust for an https --authority (default: the system\'s CAs)')
    .option('--catalogue <file>', 'the organisation\'s own catalogue JSON (default: the reference catalogue; the authority must use the same)')
    .option('--control <host:port>', 'control API address (default 127.0.0.1:1689)')
    .option('--tls-cert <file>', 'TLS certificate for a non-loopback --control')
    .option('--tls-key <file>', 'TLS private key for a non-loopback --control')
    .option('--clock <clock>', 'system, sim (simulated, starts now) or sim:ISO-TIME')
    .option('--hardware <source>', 'systeminformation or file:PATH')
    .option('--log-level <level>', 'debug, info, warn or error')
    .option('--kms-listen <host:port>', 'where a KMS host listens (default 0.0.0.0:1688)')
    .option('--kms-domain <domain>', 'DNS domain searched for _vlmcs._tcp SRV records (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--dns-server <host:port>', 'DNS server for SRV lookups and dynamic updates (default: the system resolvers)')
    .option('--dns-publish <zone>', 'publish this KMS host in ZONE by RFC 2136 dynamic update (needs --dns-server, --tsig-key)')
    .option('--tsig-key <file>', 'TSIG key file in BIND format (hmac-sha256) for --dns-publish')
    .option('--dns-priority <n>', 'SRV priority published with --dns-publish (default 0)')
    .option('--dns-weight <n>', 'SRV weight published with --dns-publish (default 100)')
    .option('--metrics-listen <host:port>', 'Prometheus /metrics on HOST:PORT (off by default; not loopback: needs --tls-cert/--tls-key)')
    .action(async (opts: Record<string, string | undefined>) => {
      const code = await runAgent({
        stateDir: opts['stateDir'] ?? (process.env['VACT_STATE_DIR'] || undefined), edition: opts['edition'], authority: opts['authority'], authorityKey: opts['authorityKey'], authorityCa: opts['authorityCa'], catalogue: opts['catalogue'],
        control: opts['control'], tlsCert: opts['tlsCert'], tlsKey: opts['tlsKey'], clock: opts['clock'], hardware: opts['hardware'], logLevel: opts['logLevel'],
        kmsListen: opts['kmsListen'], kmsDomain: opts['kmsDomain'], dnsServer: opts['dnsServer'], dnsPublish: opts['dnsPublish'],
        tsigKey: opts['tsigKey'], dnsPriority: opts['dnsPriority'], dnsWeight: opts['dnsWeight'], metricsListen: opts['metricsListen'],
      }, opts['config']);
      process.exitCode = code;
    });
}
