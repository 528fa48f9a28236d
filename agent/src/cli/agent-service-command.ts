// `vact agent install|uninstall`: the agent as a hardened systemd service (Linux). Windows
// and macOS equivalents are documented in docs/operations.md.
import type { Command } from 'commander';
import { ExitCode, VactError } from '@vact/shared';
import { install, planInstall, uninstall } from '../service/service-install';
import { reportError, type ExitBox } from './command-table';

function linuxOnly(): void {
  if (process.platform !== 'linux') {
    throw new VactError('FEATURE_UNAVAILABLE', `vact agent install writes a systemd unit and runs on Linux only (this is ${process.platform}); docs/operations.md shows the Windows service and launchd equivalents`);
  }
}

interface InstallFlags { config?: string; print?: boolean; root?: string; start?: boolean; json?: boolean }
interface UninstallFlags { purge?: boolean; root?: string; json?: boolean }

/** Registers `vact agent install` and `vact agent uninstall` under `agent`. */
export function registerAgentServiceCommands(agentCmd: Command, exit: ExitBox): void {
  agentCmd
    .command('install')
    .description('install the agent as the systemd service vact-agent (root; config in /etc/vact, state in /var/lib/vact)')
    .option('--config <file>', 'agent config to install (same keys as `vact agent run --config`); files it names are copied into /etc/vact')
    .option('--print', 'print the unit and the config that would be written; change nothing (no root needed)')
    .option('--root <dir>', 'write under DIR instead of / (an image being built): no user created, systemctl not run')
    .option('--no-start', 'enable the service but do not start it now')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', `
Writes /etc/vact/agent.json (0640 root:vact) and /etc/systemd/system/vact-agent.service, creates
the system user vact, then runs systemctl enable --now vact-agent. The unit is hardened
(ProtectSystem=strict, ProtectHome, NoNewPrivileges, StateDirectory=vact with mode 0700, no
capabilities; CAP_NET_BIND_SERVICE only for a KMS host, whose port \`vact kms port\` may move).
Running it again updates the files in place; the state in /var/lib/vact is never touched.`)
    .action(async (flags: InstallFlags) => {
      const json = flags.json === true;
      try {
        linuxOnly();
        const plan = planInstall({ config: flags.config, root: flags.root, noStart: flags.start === false });
        if (flags.print) {
          const config = plan.files.find((f) => f.path.endsWith('/agent.json'));
          if (json) {
            process.stdout.write(`${JSON.stringify({ unit: plan.unit, config: config ? JSON.parse(String(config.content)) as unknown : null, files: plan.files.map((f) => ({ path: f.path, mode: `0${f.mode.toString(8)}` })), notes: plan.notes }, null, 2)}\n`);
          } else {
            process.stdout.write(`# /etc/systemd/system/vact-agent.service\n${plan.unit}\n# ${config?.path ?? '/etc/vact/agent.json'}\n${String(config?.content ?? '')}`);
            for (const f of plan.files) if (f !== config && !f.path.endsWith('.service')) process.stdout.write(`# ${f.path} (0${f.mode.toString(8)}): copied from the config's file\n`);
            for (const n of plan.notes) process.stderr.write(`note: ${n}\n`);
          }
          exit.code = ExitCode.ok;
          return;
        }
        const result = await install({ config: flags.config, root: flags.root, noStart: flags.start === false }, plan);
        if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const w of result.written) process.stdout.write(`wrote ${w}\n`);
          for (const a of result.actions) process.stdout.write(`done: ${a}\n`);
          for (const n of result.notes) process.stdout.write(`note: ${n}\n`);
        }
        exit.code = ExitCode.ok;
      } catch (err) {
        exit.code = reportError(err, json);
      }
    });

  agentCmd
    .command('uninstall')
    .description('stop and remove the vact-agent service; keeps /etc/vact and /var/lib/vact unless --purge')
    .option('--purge', 'also delete /etc/vact, /var/lib/vact (licence state, tokens, logs) and the vact user')
    .option('--root <dir>', 'act under DIR instead of / (see install --root)')
    .option('--json', 'print machine-readable JSON')
    .action(async (flags: UninstallFlags) => {
      const json = flags.json === true;
      try {
        linuxOnly();
        const result = await uninstall({ root: flags.root, purge: flags.purge === true });
        if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const a of result.actions) process.stdout.write(`done: ${a}\n`);
          for (const r of result.removed) process.stdout.write(`removed ${r}\n`);
          for (const k of result.kept) process.stdout.write(`kept ${k} (--purge deletes it)\n`);
          if (result.removed.length === 0 && result.actions.length === 0) process.stdout.write('the vact-agent service is not installed: nothing to do\n');
        }
        exit.code = ExitCode.ok;
      } catch (err) {
        exit.code = reportError(err, json);
      }
    });
}
