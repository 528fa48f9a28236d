// The control API's KMS methods (`vact kms …`, `vact host …`): settings change under the state lock
// as one commit each; the listener follows outside it; reads take no lock.
import { isIP } from 'node:net';
import {
  VactError, findEdition, toWireTime,
  type Catalogue, type Edition, type HostClientsResult, type HostStatusResult, type KmsDomainListResult, type KmsShowResult, type ControlParams,
} from '@vact/shared/licensing';
import { checkDomain, type KmsSettings } from '../config/agent-config';
import type { ActivationRunner } from '../activation/runner';
import type { LicenseEngine } from '../license/engine';
import type { AgentState, KmsRuntimeSettings } from '../store/state-file';
import { effectiveKmsSettings, KMS_PORT } from '../kms/client/client-role';
import type { KmsHostRole } from '../kms/host/host-role';
import type { Logger } from '../logging/logger';

export interface KmsServiceDeps {
  flags: KmsSettings;
  catalogue: Catalogue;
  edition: Edition;
  engine: LicenseEngine;
  runner: ActivationRunner;
  host: KmsHostRole;
  logger: Logger;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export class KmsService {
  constructor(private readonly d: KmsServiceDeps) {}

  /** One commit of the KMS settings; contacts the tick asks for run afterwards, outside the lock. */
  private async change(reason: string, fn: (k: KmsRuntimeSettings, s: AgentState) => KmsRuntimeSettings): Promise<void> {
    const { engine, runner } = this.d;
    const contacts = await engine.run(() => {
      const cur: KmsRuntimeSettings = engine.state.kms ?? { staticHost: null, domains: null, port: null };
      const next = fn({ ...cur }, engine.state);
      const c = engine.apply({ type: 'tick' }, reason, (s) => {
        s.kms = next;
      });
      this.d.logger.info(`KMS settings changed (${reason})`, { ...next });
      return c;
    });
    if (contacts.length > 0) void runner.runAll(contacts).catch(() => undefined);
  }

  async set(p: ControlParams<'kms.set'>): Promise<KmsShowResult> {
    let host = p.host.trim();
    let port = p.port ?? KMS_PORT;
    const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(host) ?? /^([^:]+):(\d+)$/.exec(host);
    if (m) {
      host = m[1]!;
      if (m[2] !== undefined) port = Number(m[2]);
    }
    if (!(isIP(host) || HOST_NAME.test(host))) throw new VactError('INVALID_CONFIG', `"${p.host}" is not a host name or IP address (e.g. kms1.lab.example or kms1.lab.example:1688)`, { setting: 'kms-host' });
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new VactError('INVALID_CONFIG', `port ${port} is out of range 1-65535`, { setting: 'kms-host' });
    await this.change('kms-set', (k) => ({ ...k, staticHost: { host: host.replace(/\.$/, ''), port }, lastHost: null }));
    return this.show();
  }

  async clear(): Promise<KmsShowResult> {
    await this.change('kms-clear', (k) => ({ ...k, staticHost: null, lastHost: k.lastHost?.source === 'static' ? null : (k.lastHost ?? null) }));
    return this.show();
  }

  async intervals(p: ControlParams<'kms.intervals'>): Promise<KmsShowResult> {
    const { engine, runner } = this.d;
    const contacts = await engine.run(() => engine.apply({
      type: 'intervals-changed', ...(p.activationMinutes !== undefined ? { activationMinutes: p.activationMinutes } : {}), ...(p.renewalMinutes !== undefined ? { renewalMinutes: p.renewalMinutes } : {}),
    }, 'kms-intervals'));
    if (contacts.length > 0) void runner.runAll(contacts).catch(() => undefined);
    return this.show();
  }

  async port(p: ControlParams<'kms.port'>): Promise<KmsShowResult> {
    await this.change('kms-port', (k) => ({ ...k, port: p.port }));
    await this.d.host.sync();
    return this.show();
  }

  async domainAdd(p: ControlParams<'kms.domain.add'>): Promise<KmsDomainListResult> {
    const domain = checkDomain(p.domain);
    await this.change('kms-domain-add', (k, s) => {
      const cur = effectiveKmsSettings(s, this.d.flags).domains;
      return { ...k, domains: cur.includes(domain) ? cur : [...cur, domain] };
    });
    return this.domainList();
  }

  async domainRemove(p: ControlParams<'kms.domain.remove'>): Promise<KmsDomainListResult> {
    const domain = checkDomain(p.domain);
    const cur = effectiveKmsSettings(this.d.engine.state, this.d.flags).domains;
    if (!cur.includes(domain)) throw new VactError('INVALID_CONFIG', `${domain} is not in the KMS domain list (${cur.join(', ') || 'empty'})`, { setting: 'kms-domain' });
    await this.change('kms-domain-remove', (k, s) => ({ ...k, domains: effectiveKmsSettings(s, this.d.flags).domains.filter((d) => d !== domain) }));
    return this.domainList();
  }

  domainList(): KmsDomainListResult {
    const e = effectiveKmsSettings(this.d.engine.state, this.d.flags);
    return { domains: e.domains, domainsFrom: e.domainsFrom };
  }

  show(): KmsShowResult {
    const s = this.d.engine.state;
    const lc = s.lifecycle;
    const e = effectiveKmsSettings(s, this.d.flags);
    const last = s.kms?.lastHost ?? null;
    const server = this.d.flags.dnsServer;
    const kmsKey = lc.key?.type === 'kms-client';
    return {
      hostSource: e.staticHost ? 'static' : 'dns',
      staticHost: e.staticHost ? `${e.staticHost.host}:${e.staticHost.port}` : null,
      domains: e.domains, domainsFrom: e.domainsFrom,
      dnsServer: server ? `${server.host}:${server.port}` : null,
      cachedHost: last ? `${last.host}:${last.port}` : null, cachedHostSource: last?.source ?? null,
      lastCount: lc.kmsCount ?? null,
      threshold: findEdition(this.d.catalogue, this.d.edition.id).threshold,
      intervals: lc.intervals,
      nextAttemptAt: kmsKey ? toWireTime(lc.nextAttemptAt) : null,
      nextAttemptKind: !kmsKey || lc.nextAttemptAt === null ? null : lc.status === 'Licensed' && lc.failures === 0 ? 'renewal' : 'retry',
      validUntil: toWireTime(lc.validUntil),
      hostPort: s.kms?.port ?? (this.d.flags.listen.port || KMS_PORT),
    };
  }

  hostStatus(): HostStatusResult {
    this.requireHost();
    return this.d.host.status();
  }

  hostClients(): HostClientsResult {
    this.requireHost();
    return this.d.host.clients();
  }

  private requireHost(): void {
    if (!this.d.host.isHost()) throw new VactError('KEY_WRONG_TYPE', 'this agent is not a KMS host: install a KMS host key with `vact key install KEY`');
  }
}
