// The KMS client as the composition root registers it: the activation channel for KMS client keys.
// It reads the settings at each contact — a static host (`vact kms set`) wins, otherwise DNS SRV
// discovery in the configured domains — and keeps one discovery (with its host cache) while the
// settings stay the same, seeded after a restart with the host that answered last.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { type Catalogue, type Clock } from '@vact/shared/licensing';
import { nodeEd25519 } from '@vact/shared/node';
import type { ActivationChannel, ActivationRequest, ChannelOutcome } from '../../activation/channel';
import type { KmsSettings } from '../../config/agent-config';
import type { AgentState } from '../../store/state-file';
import { KmsDiscovery } from './discovery';
import type { KmsChannel } from './kms-channel';

/** The default KMS port (DESIGN §3). */
export const KMS_PORT = 1688;

/** The KMS settings in effect: what `vact kms …` persisted, else the flags. */
export interface EffectiveKmsSettings {
  staticHost: { host: string; port: number } | null;
  domains: string[];
  domainsFrom: 'flags' | 'admin';
}

export function effectiveKmsSettings(state: AgentState, flags: KmsSettings): EffectiveKmsSettings {
  const k = state.kms;
  return { staticHost: k?.staticHost ?? null, domains: k?.domains ?? flags.domains, domainsFrom: k?.domains ? 'admin' : 'flags' };
}

/** True on a machine that says it runs under a hypervisor (the request's VM flag). */
export function detectVm(): boolean {
  try {
    return /^flags\s*:.*\bhypervisor\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

export interface KmsClientRoleDeps {
  flags: KmsSettings;
  catalogue: Catalogue;
  /** The agent clock (request time, ticket checks). */
  clock: Clock;
  /** Real time for socket deadlines. */
  realClock: Clock;
  authorityKey: string;
  state: () => AgentState;
}

export class KmsClientRole implements ActivationChannel {
  readonly name = 'KMS';
  private discovery: KmsDiscovery | undefined;
  private discoveryKey = '';
  private readonly machineName = os.hostname();
  private readonly vm = detectVm();

  constructor(private readonly d: KmsClientRoleDeps) {}

  settings(): EffectiveKmsSettings {
    return effectiveKmsSettings(this.d.state(), this.d.flags);
  }

  target(): string {
    const s = this.settings();
    if (s.staticHost) return `${s.staticHost.host}:${s.staticHost.port}`;
    const cached = this.current().cachedHost;
    if (cached) return `${cached.host}:${cached.port}`;
    return s.domains.length > 0 ? s.domains.map((d) => `_vlmcs._tcp.${d}`).join(', ') : 'no KMS host configured';
  }

  /** The discovery for the current settings (a new one, seeded from the state, when they changed). */
  current(): KmsDiscovery {
    const s = this.settings();
    const key = JSON.stringify([s.staticHost, s.domains]);
    if (!this.discovery || key !== this.discoveryKey) {
      const server = this.d.flags.dnsServer;
      this.discovery = new KmsDiscovery({
        ...(s.staticHost ? { staticHost: s.staticHost } : {}),
        domains: s.domains,
        ...(server ? { dnsServers: [server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`] } : {}),
      });
      this.discoveryKey = key;
      const last = this.d.state().kms?.lastHost;
      if (!s.staticHost && last && last.source !== 'static') this.discovery.remember({ host: last.host, port: last.port, ...(last.address ? { address: last.address } : {}) });
    }
    return this.discovery;
  }

  async activate(req: ActivationRequest, signal: AbortSignal): Promise<ChannelOutcome> {
    const { catalogue, clock, realClock, authorityKey } = this.d;
    // The exchange and the KMS wire format are loaded with the first activation attempt.
    const { KmsChannel } = await import('./kms-channel.js');
    const channel: KmsChannel = new KmsChannel(
      { discovery: this.current(), clock, timerClock: realClock, crypto: nodeEd25519, rootPublicKey: authorityKey, catalogue },
      () => {
        const lc = this.d.state().lifecycle;
        const graceEnd = lc.status === 'InitialGrace' || lc.status === 'OutOfToleranceGrace' ? lc.graceEndsAt : null;
        return {
          machineName: this.machineName.slice(0, 128), vm: this.vm, licenseStatus: lc.status,
          remainingGraceMinutes: graceEnd === null ? 0 : Math.max(0, Math.floor((graceEnd - Math.max(clock.now(), lc.trustedNow)) / 60_000)),
        };
      },
      () => this.target(),
    );
    return channel.activate(req, signal);
  }
}
