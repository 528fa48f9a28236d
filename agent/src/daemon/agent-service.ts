// The control API's view of the agent: each AgentService call is a read of the engine's state, a
// change under its lock, or a contact through the activation runner — never network I/O under the lock.
import {
  VactError, SimClock, catalogueIdentity, decodeProductKey, keyRefusal, toWireTime, EventIds,
  type AgentService, type Catalogue, type CatalogueClaim, type CatalogueIdentity, type ClockResult, type Clock, type ControlNotification, type ControlParams, type Edition,
  type EventsQueryResult, type ExpiryResult, type HardwareRescanResult, type InstalledKey, type KeyInstallResult,
  type OfflineIidResult, type StatusResult, type KmsShowResult, type KmsDomainListResult, type HostStatusResult, type HostClientsResult,
} from '@vact/shared/licensing';
import type { AgentConfig } from '../config/agent-config';
import type { EventLog } from '../events/event-log';
import type { HardwareScanner } from '../hardware/hardware-scanner';
import type { ActivationRunner } from '../activation/runner';
import { iidFields, installationIdOf, verifyConfirmation } from '../activation/offline';
import { toAgentEvent, type Announcer } from '../license/announcer';
import { idsAtLeast } from '../events/event-level';
import type { LicenseEngine } from '../license/engine';
import type { Contact } from '../license/effects';
import { applyHardwareScan } from '../license/identity';
import { expiryView, statusView } from '../license/status-view';
import type { KeyedScheduler, SimScheduler } from '../scheduler/keyed-scheduler';
import { Mutex } from '../license/mutex';
import { AGENT_VERSION } from '../version';
import type { KmsService } from './kms-service';
import type { KmsHostRole } from '../kms/host/host-role';

export interface AgentServiceDeps {
  config: AgentConfig;
  catalogue: Catalogue;
  /** What this agent's activations say of its catalogue (made once by the composition root). */
  catalogueClaim: CatalogueClaim;
  edition: Edition;
  clock: Clock;
  engine: LicenseEngine;
  runner: ActivationRunner;
  announcer: Announcer;
  events: EventLog;
  scanner: HardwareScanner;
  scheduler: KeyedScheduler;
  authorityKey: string;
  hardwareDescription: string;
  kms: KmsService;
  kmsHost: KmsHostRole;
}

/** The running agent as the control server sees it. */
export class AgentServiceImpl implements AgentService {
  /** Serialises clock advances (each walks many lifecycle steps, taking the state lock per step). */
  private readonly advancing = new Mutex();

  /** The catalogue's identity for `status -v`, hashed once (the catalogue never changes while the agent runs). */
  private readonly catalogue: CatalogueIdentity;

  constructor(private readonly d: AgentServiceDeps) {
    this.catalogue = catalogueIdentity(d.catalogue);
  }

  /** The status result for the current state. */
  statusNow(verbose = false): StatusResult {
    const d = this.d;
    return statusView(d.engine.state, { edition: d.edition, clock: d.clock.kind, now: d.clock.now(), authorityUrl: d.config.authorityUrl, hardwareSource: d.hardwareDescription, catalogue: this.catalogue }, verbose);
  }

  handshake(): Promise<{ agentVersion: string; clock: 'system' | 'sim'; edition: string; cmid: string }> {
    return Promise.resolve({ agentVersion: AGENT_VERSION, clock: this.d.clock.kind, edition: this.d.edition.id, cmid: this.d.engine.state.cmid });
  }

  status(params: ControlParams<'status'>): Promise<StatusResult> {
    return Promise.resolve(this.statusNow(params.verbose === true));
  }

  expiry(): Promise<ExpiryResult> {
    return Promise.resolve(expiryView(this.d.engine.state, this.d.clock.now()));
  }

  async activate(): Promise<StatusResult> {
    const key = this.d.engine.state.lifecycle.key;
    if (!key) throw new VactError('NO_KEY_INSTALLED');
    if (key.type === 'kms-host') throw new VactError('WRONG_CHANNEL', 'a KMS host key is activated by the KMS host service, not by `vact activate`');
    const outcome = await this.d.runner.runAll([key.type === 'mak' ? 'contact-authority' : 'contact-kms']);
    if (outcome && !outcome.ok) throw outcome.error;
    return this.statusNow();
  }

  async keyInstall(params: ControlParams<'key.install'>): Promise<KeyInstallResult> {
    const { catalogue, edition, engine, announcer } = this.d;
    const decoded = decodeProductKey(params.key, catalogue.groups.map((g) => g.id));
    // Like slmgr /ipk: a key that cannot apply to this edition is refused before anything changes.
    const refused = keyRefusal(catalogue, decoded, edition.id);
    if (refused) throw refused;
    const key: InstalledKey = { key: decoded.key, type: decoded.type, group: decoded.group, partialKey: decoded.partial };
    const contacts = await engine.run(() => {
      // Switching channels keeps a Licensed machine's ticket until the new channel answers.
      const c = engine.apply({ type: 'key-installed', key }, 'key-installed', (s) => {
        if (s.lifecycle.status !== 'Licensed') s.ticket = null;
      });
      announcer.log(EventIds.keyInstalled, `product key installed (${key.type}, ${key.partialKey})`, { type: key.type, group: key.group, partialKey: key.partialKey });
      announcer.logger.info('product key installed', { type: key.type, partialKey: key.partialKey });
      return c;
    });
    // A MAK activates at once; a failure leaves the key installed with retries on the activation interval.
    const wanted: Contact[] = params.activate === false ? []
      : key.type === 'mak' && !contacts.includes('contact-authority') ? [...contacts, 'contact-authority'] : contacts;
    let activation: KeyInstallResult['activation'] = { attempted: false, succeeded: false, error: null };
    if (wanted.length > 0) {
      const outcome = await this.d.runner.runAll(wanted);
      if (outcome) activation = { attempted: true, succeeded: outcome.ok, error: outcome.ok ? null : outcome.error.toJSON() };
    }
    return { key: { type: key.type, group: key.group, partialKey: key.partialKey }, activation, status: this.statusNow() };
  }

  async keyUninstall(): Promise<StatusResult> {
    const { engine, announcer } = this.d;
    const result = await engine.run(() => {
      const key = engine.state.lifecycle.key;
      if (!key) throw new VactError('NO_KEY_INSTALLED');
      engine.apply({ type: 'key-removed' }, 'key-uninstalled', (s) => {
        s.ticket = null;
      });
      announcer.log(EventIds.keyUninstalled, `product key uninstalled (${key.partialKey})`, { partialKey: key.partialKey });
      return this.statusNow();
    });
    // A KMS host stops listening and withdraws its SRV record once the key is gone (outside the lock).
    await this.d.kmsHost.sync();
    return result;
  }

  async rearm(): Promise<StatusResult> {
    const { engine, announcer } = this.d;
    const contacts = await engine.run(() => {
      // The lifecycle's regenerate-cmid ('rearm') effect makes the new CMID in the same commit.
      const c = engine.apply({ type: 'rearm' }, 'rearm', (s) => {
        if (s.lifecycle.status !== 'Licensed') s.ticket = null;
      });
      announcer.log(EventIds.rearmed, `rearmed; ${engine.state.lifecycle.remainingRearms} rearm(s) left`, { remainingRearms: engine.state.lifecycle.remainingRearms });
      return c;
    });
    // The follow-up activation runs on its own; its outcome is logged by the runner, and a crash of it here.
    if (contacts.length > 0) void this.d.runner.runAll(contacts).catch((err: unknown) => announcer.logger.error('activation after rearm failed', { error: (err as Error).message }));
    return this.statusNow();
  }

  offlineIid(): Promise<OfflineIidResult> {
    const fields = iidFields(this.d.engine.state, this.d.edition);
    return Promise.resolve({
      installationId: installationIdOf(fields, this.d.catalogue), edition: this.d.edition.id, partialKey: this.d.engine.state.lifecycle.key!.partialKey,
      ...this.d.catalogueClaim,
    });
  }

  offlineConfirm(params: ControlParams<'offline.confirm'>): Promise<StatusResult> {
    const { engine, announcer } = this.d;
    return engine.run(() => {
      const fields = iidFields(engine.state, this.d.edition);
      try {
        const ticketText = verifyConfirmation(params.confirmationId, fields, this.d.catalogue, this.d.authorityKey, engine.trustedNow());
        engine.apply({ type: 'activation-succeeded', channel: 'offline', validUntil: null }, 'offline-confirmed', (s) => {
          s.ticket = ticketText;
        });
      } catch (err) {
        const e = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.message ?? String(err));
        announcer.log(EventIds.offlineRefused, `confirmation ID refused: ${e.message}`, { code: e.code });
        throw e;
      }
      announcer.log(EventIds.offlineConfirmed, `activated offline (${engine.state.lifecycle.key?.partialKey})`, { channel: 'offline' });
      return this.statusNow();
    });
  }

  async eventsQuery(params: ControlParams<'events.query'>): Promise<EventsQueryResult> {
    let since = params.since ? Date.parse(params.since) : undefined;
    if (params.withinMs !== undefined) since = Math.max(since ?? -Infinity, this.d.clock.now() - params.withinMs);
    const atLevel = idsAtLeast(params.level ?? 'info');
    const ids = atLevel === null ? params.eventIds : (params.eventIds ?? atLevel).filter((id) => atLevel.includes(id));
    if (ids !== undefined && ids.length === 0) return { events: [] };
    const recs = await this.d.events.queryAsync({ ...(since !== undefined ? { since } : {}), ...(ids ? { ids } : {}), limit: params.limit ?? 100 });
    return { events: recs.map(toAgentEvent) };
  }

  async hardwareRescan(): Promise<HardwareRescanResult> {
    const scan = await this.d.scanner.rescan();
    const verdict = await this.d.engine.run(() => applyHardwareScan(this.d.engine, this.d.announcer, scan));
    return { hardwareHash: this.d.engine.state.hardware.hardwareHash, ...verdict, status: this.statusNow() };
  }

  clockNow(): Promise<ClockResult> {
    return Promise.resolve(this.clockResult());
  }

  /** Moves a sim clock forward, jumping from wake to wake; other calls are answered in between. */
  clockAdvance(params: ControlParams<'clock.advance'>): Promise<ClockResult> {
    const { clock, scheduler } = this.d;
    if (!(clock instanceof SimClock) || !('advance' in scheduler)) throw new VactError('SIM_CLOCK_ONLY');
    return this.advancing.run(async () => {
      const target = clock.now() + params.ms;
      try {
        await (scheduler as SimScheduler).advance(target);
      } catch (err) {
        throw new VactError('INTERNAL', (err as Error).message);
      }
      const contacts = await this.d.engine.run(() => this.d.engine.apply({ type: 'tick' }, 'clock-advance'));
      await this.d.runner.runAll(contacts);
      return this.clockResult();
    });
  }

  kmsSet(p: ControlParams<'kms.set'>): Promise<KmsShowResult> { return this.d.kms.set(p); }
  kmsClear(): Promise<KmsShowResult> { return this.d.kms.clear(); }
  kmsIntervals(p: ControlParams<'kms.intervals'>): Promise<KmsShowResult> { return this.d.kms.intervals(p); }
  kmsPort(p: ControlParams<'kms.port'>): Promise<KmsShowResult> { return this.d.kms.port(p); }
  kmsDomainAdd(p: ControlParams<'kms.domain.add'>): Promise<KmsDomainListResult> { return this.d.kms.domainAdd(p); }
  kmsDomainRemove(p: ControlParams<'kms.domain.remove'>): Promise<KmsDomainListResult> { return this.d.kms.domainRemove(p); }
  kmsDomainList(): Promise<KmsDomainListResult> { return Promise.resolve(this.d.kms.domainList()); }
  kmsShow(): Promise<KmsShowResult> { return Promise.resolve(this.d.kms.show()); }
  hostStatus(): Promise<HostStatusResult> { return Promise.resolve().then(() => this.d.kms.hostStatus()); }
  hostClients(): Promise<HostClientsResult> { return Promise.resolve().then(() => this.d.kms.hostClients()); }

  onNotification(listener: (n: ControlNotification) => void): { dispose(): void } {
    return this.d.announcer.onNotification(listener);
  }

  private clockResult(): ClockResult {
    return { now: toWireTime(this.d.clock.now()), trustedTime: toWireTime(this.d.engine.state.lifecycle.trustedNow), clock: this.d.clock.kind };
  }
}
