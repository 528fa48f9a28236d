// The agent's systemd unit as a pure function of where things are: `vact agent install`
// writes it, `--print` shows it, and a test hands it to `systemd-analyze verify`.

import { DAEMON_ENVIRONMENT, DAEMON_NODE_FLAGS } from './daemon-environment';

/** Where the service's pieces live on the installed machine. */
export interface UnitSpec {
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of the `vact` entry script. */
  entry: string;
  /** The installed config file (under configDir). */
  configFile: string;
  /** Service user and group (a dedicated system user). */
  user: string;
  /** The state directory; /var/lib/vact is systemd's StateDirectory. */
  stateDir: string;
  /** True when the agent may listen on a privileged port (a KMS host: `vact kms port` may pick one). */
  bindPrivileged: boolean;
}

export const UNIT_NAME = 'vact-agent.service';
export const DEFAULT_STATE_DIR = '/var/lib/vact';
export const DEFAULT_CONFIG_DIR = '/etc/vact';

/** Quotes one ExecStart word the way systemd parses it. */
function execWord(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `"${word.replace(/(["\\])/g, '\\$1')}"`;
}

/** Renders the hardened unit file. */
export function renderUnit(spec: UnitSpec): string {
  const exec = [spec.node, ...DAEMON_NODE_FLAGS, spec.entry, 'agent', 'run', '--config', spec.configFile].map(execWord).join(' ');
  const ownStateDir = spec.stateDir === DEFAULT_STATE_DIR;
  const caps = spec.bindPrivileged
    ? ['# A KMS host: `vact kms port` may move the listener to a port below 1024.',
      'AmbientCapabilities=CAP_NET_BIND_SERVICE', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE']
    : ['# No capability at all: the control API and a KMS listener on 1688 need none.', 'CapabilityBoundingSet='];
  return [
    '# Written by `vact agent install`; `vact agent uninstall` removes it.',
    '[Unit]',
    'Description=vact agent (volume activation: license lifecycle, KMS client or host, control API)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    ...Object.entries(DAEMON_ENVIRONMENT).map(([k, v]) => `Environment=${k}=${v}`),
    `User=${spec.user}`,
    `Group=${spec.user}`,
    'Restart=on-failure',
    'RestartSec=5s',
    // The agent stops cleanly on SIGTERM within a second or two; give it room, then kill.
    'TimeoutStopSec=20s',
    ...(ownStateDir ? ['StateDirectory=vact', 'StateDirectoryMode=0700'] : [`ReadWritePaths=${spec.stateDir}`]),
    'ConfigurationDirectory=vact',
    'ConfigurationDirectoryMode=0750',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    // MemoryDenyWriteExecute stays off: V8's JIT needs writable code pages.
    ...caps,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
