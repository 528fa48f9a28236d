// The agent daemon: owns the state file, drives the pure lifecycle, applies its effects and serves the control API.
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  VactError, SimClock, LicenseStatusCode, referenceCatalogue, findEdition, decodeProductKey, hostKeyInstallableOn, initialState, step, toleranceVote, encodeInstallationId, installationIdNonce, decodeConfirmationId, verifyTicket, ticketToText, toWireTime, NotificationMethods, type Catalogue, type CatalogueRules, type Clock, type Edition, type InstalledKey, type LifecycleEvent, type LifecycleState, type AgentService, type ControlParams, type ControlNotification, type StatusResult, type ExpiryResult, type KeyInstallResult, type OfflineIidResult, type EventsQueryResult, type HardwareRescanResult, type ClockResult, type AgentEvent, type ErrorData,
} from '@vact/shared';
import { SystemClock, nodeEd25519 } from '@vact/shared/node';
import type { AgentConfig } from '../config/agent-config';
import { StateFile, STATE_VERSION, type AgentState } from '../store/state-file';
import { EventLog, type EventRecord } from '../events/event-log';
import { EventIds } from '@vact/shared';
import { eventLevel } from '../events/event-level';
import { Logger } from '../logging/logger';
import { ensureTokens } from '../tokens/control-tokens';
import { hardwareSourceFor } from '../hardware/hardware-source';
import { HardwareScanner, type HardwareScan } from '../hardware/hardware-scanner';
import { NodeScheduleWake, SimWake, type WakeScheduler } from '../scheduler/wake-scheduler';
import { readAuthorityKey } from '../activation/authority-key';
import { MakActivationClient } from '../activation/mak-client';
import { Mutex } from './mutex';

/** Version reported in the handshake. */
import { AGENT_VERSION } from '../version';
/** Guard against a lifecycle that keeps asking to wake "now" during a sim advance. */
const MAX_WAKES_PER_ADVANCE = 200_000;

type Contact = 'contact-authority' | 'contact-kms';
type ActivationOutcome = { ok: true } | { ok: false; error: VactError };

export interface AgentStartOptions {
  logger?: Logger;
  /** Hook for tests: called after every persisted state change. */
  onPersist?: (state: AgentState) => void;
}

/** A 128-bit client machine id as 32 hex chars. */
export function newCmid(): string {
  return randomBytes(16).toString('hex');
}

/** The state as JSON without its revision counter: equal for states that differ only in revision. */
function contentOf(state: AgentState): string {
  const copy: Partial<AgentState> = { ...state };
  delete copy.revision;
  return JSON.stringify(copy);
}

/**
 * Runs `fn` now and returns its result as a promise; a throw becomes a rejection, as from an
 * async function. For AgentService methods that need a Promise but have nothing to await.
 */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}

function asVactError(err: unknown): VactError {
  if (err instanceof VactError) return err;
  return new VactError('INTERNAL', (err as Error)?.message ?? String(err));
}

/** The running agent. Create with Agent.start; every mutation goes through one mutex and is persisted before it is acknowledged. */
export class Agent implements AgentService {
  private readonly mutex = new Mutex();
  private readonly listeners = new Set<(n: ControlNotification) => void>();
  private readonly scheduler: WakeScheduler;
  private stopped = false;
  private backgroundScan: Promise<void> | null = null;
  private firstStart = false;

  private constructor(
    readonly config: AgentConfig,
    private state: AgentState,
    readonly clock: Clock,
    private readonly catalogue: Catalogue,
    private readonly edition: Edition,
    private readonly stateFile: StateFile,
    readonly events: EventLog,
    readonly logger: Logger,
    private readonly scanner: HardwareScanner,
    private readonly mak: MakActivationClient,
    private readonly authorityKey: string,
    private readonly hardwareDescription: string,
    private readonly onPersist: ((s: AgentState) => void) | undefined,
  ) {
    this.scheduler = clock.kind === 'sim' ? new SimWake() : new NodeScheduleWake(clock, () => void this.wake());
  }

  /**
   * Loads (or creates on first start) the state in config.stateDir and starts the lifecycle.
   * Throws VactError: INVALID_CONFIG / UNKNOWN_EDITION for bad settings, STATE_CORRUPT / STATE_VERSION_UNSUPPORTED
   * for a state file it will not touch.
   */
  static async start(config: AgentConfig, opts: AgentStartOptions = {}): Promise<Agent> {
    fs.mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    const stateFile = new StateFile(config.stateDir);
    const stored = stateFile.load();
    const catalogue = referenceCatalogue();
    const edition = findEdition(catalogue, config.edition);
    if (stored && stored.edition !== edition.id) {
      throw new VactError('INVALID_CONFIG', `--edition ${edition.id}: the state in ${config.stateDir} belongs to edition ${stored.edition}; use that edition or another --state-dir`, { setting: 'edition' });
    }
    const authorityKey = readAuthorityKey(config.authorityKeyFile);

    const clock: Clock = config.clock.kind === 'sim'
      ? new SimClock(Math.max(config.clock.start ?? Date.now(), stored?.clock.simNow ?? -Infinity))
      : new SystemClock();
    // Operational logs carry wall-clock time; events carry the agent clock (sim or system).
    const logger = opts.logger ?? new Logger({ dir: config.stateDir, level: config.logLevel });
    const events = new EventLog(config.stateDir);
    const source = hardwareSourceFor(config.hardware);
    const scanner = new HardwareScanner(source, () => clock.now());
    const mak = new MakActivationClient(config.authorityUrl, authorityKey);

    let state = stored;
    let firstStart = false;
    if (!state) {
      firstStart = true;
      state = Agent.firstState(catalogue, edition, clock, await scanner.scan());
    }
    const agent = new Agent(config, state, clock, catalogue, edition, stateFile, events, logger, scanner, mak, authorityKey, source.description, opts.onPersist);
    if (firstStart) {
      agent.persist(state);
      agent.log(EventIds.keyInstalled, `KMS client setup key installed for ${edition.name}`, { partialKey: state.lifecycle.key?.partialKey, type: 'kms-client' });
    }
    ensureTokens(config.stateDir);
    agent.log(EventIds.agentStarted, `agent started (${firstStart ? 'first start' : 'restart'}), status ${state.lifecycle.status}`, {
      cmid: state.cmid, edition: edition.id, clock: clock.kind, hardware: source.description,
    });
    logger.info(`vact agent ${AGENT_VERSION} started`, { stateDir: config.stateDir, edition: edition.id, status: state.lifecycle.status, clock: clock.kind });

    // The restart recomputes everything from the persisted state and the clock.
    await agent.mutex.run(() => {
      const contacts = agent.applyEvent({ type: 'start' }, 'start');
      // Contacts may wait on the network: let them run after start() has returned.
      if (contacts.length > 0) void agent.mutex.run(() => agent.runContacts(contacts)).catch((err) => agent.logger.error('activation attempt failed', { error: (err as Error).message }));
    });
    agent.firstStart = firstStart;
    return agent;
  }

  private static firstState(catalogue: Catalogue, edition: Edition, clock: Clock, scan: HardwareScan): AgentState {
    const now = clock.now();
    const rules = catalogue.rules;
    let lifecycle = initialState(edition.id, rules, now);
    // Volume editions are KMS clients out of the box: install the edition's public setup key.
    const decoded = decodeProductKey(edition.kmsClientSetupKey, catalogue.groups.map((g) => g.id));
    const key: InstalledKey = { key: decoded.key, type: decoded.type, group: decoded.group, partialKey: decoded.partial };
    lifecycle = step(lifecycle, { type: 'key-installed', key }, now, rules).state;
    return {
      version: STATE_VERSION,
      createdAt: now,
      revision: 0,
      cmid: newCmid(),
      edition: edition.id,
      hardware: { hardwareHash: scan.hardwareHash, components: scan.components, recordedAt: now },
      lifecycle,
      ticket: null,
      clock: { simNow: clock.kind === 'sim' ? now : null },
    };
  }

  /** Stops timers and waits for the running change to finish; the state on disk is complete. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.scheduler.dispose();
    await this.backgroundScan?.catch(() => undefined);
    await this.mutex.idle();
    this.logger.info('vact agent stopped');
  }

  /** The current state (a copy; for tests and the benchmark). */
  snapshot(): AgentState {
    return structuredClone(this.state);
  }

  /** Wakes fired so far (benchmark: no polling while idle). */
  get wakeups(): number {
    return this.scheduler.fired;
  }

  /** The armed wake time, or null. */
  get nextWake(): number | null {
    return this.scheduler.next;
  }

  private get rules(): CatalogueRules {
    return this.catalogue.rules;
  }

  // ---- the lifecycle driver ---------------------------------------------------------------

  /** The trusted time: never earlier than the highest time seen, so a clock set back extends nothing. */
  private trustedNow(): number {
    return Math.max(this.clock.now(), this.state.lifecycle.trustedNow);
  }

  /**
   * Runs one lifecycle step and applies its effects: persists first (so a success is never
   * acknowledged before it is on disk), then logs, notifies and re-arms the wake.
   * Throws the step's VactError with nothing changed. Returns the contacts to make.
   */
  private applyEvent(event: LifecycleEvent, reason: string, mutate?: (s: AgentState) => void): Contact[] {
    const before = this.state;
    // The raw clock goes in: the lifecycle itself detects (and logs, 12411) a clock set backwards.
    const res = step(before.lifecycle, event, this.clock.now(), this.rules);
    const next: AgentState = { ...before, lifecycle: res.state, hardware: { ...before.hardware }, clock: { ...before.clock } };
    mutate?.(next);
    const contacts: Contact[] = [];
    const pendingEvents: Omit<EventRecord, 'seq' | 'time'>[] = [];
    const reminders: { remainingMs: number; status: LifecycleState['status'] }[] = [];
    for (const eff of res.effects) {
      switch (eff.type) {
        case 'log':
          pendingEvents.push({ id: eff.eventId, message: eff.message, ...(eff.data ? { data: eff.data } : {}) });
          break;
        case 'reminder':
          reminders.push({ remainingMs: eff.remainingMs, status: eff.status });
          break;
        case 'regenerate-cmid': {
          const old = next.cmid;
          next.cmid = newCmid();
          pendingEvents.push({ id: EventIds.cmidRegenerated, message: `CMID regenerated (${eff.reason})`, data: { reason: eff.reason, previousCmid: old, cmid: next.cmid } });
          break;
        }
        case 'contact-authority':
        case 'contact-kms':
          if (!contacts.includes(eff.type)) contacts.push(eff.type);
          break;
        case 'persist':
          // Every change is persisted below, whether or not the step asked.
          break;
      }
    }
    if (next.lifecycle.status !== 'Licensed' && before.lifecycle.status === 'Licensed' && event.type !== 'activation-succeeded') {
      // A ticket only stands for the activation it came from.
      next.ticket = next.ticket === before.ticket ? null : next.ticket;
    }
    if (this.clock.kind === 'sim') next.clock.simNow = this.clock.now();
    this.commit(next);
    for (const e of pendingEvents) this.log(e.id, e.message, e.data);
    for (const r of reminders) this.remind(r.remainingMs, r.status);
    if (before.lifecycle.status !== next.lifecycle.status) this.statusChanged(before.lifecycle.status, reason);
    this.scheduler.wakeAt(this.stopped ? null : res.nextWake);
    return contacts;
  }

  /** Persists `next` if anything changed and makes it current. */
  private commit(next: AgentState): void {
    if (contentOf(this.state) === contentOf(next) && this.state.revision > 0) {
      this.state = next;
      return;
    }
    next.revision = this.state.revision + 1;
    this.persist(next);
  }

  private persist(next: AgentState): void {
    this.stateFile.save(next);
    this.state = next;
    this.onPersist?.(next);
  }

  /** Makes the contacts the lifecycle asked for, feeding each outcome back into it. */
  private async runContacts(contacts: Contact[], depth = 0): Promise<ActivationOutcome | null> {
    let last: ActivationOutcome | null = null;
    for (const c of contacts) {
      if (this.stopped) break;
      const { outcome, contacts: more } = c === 'contact-authority' ? await this.contactAuthority() : this.contactKms();
      last = outcome;
      // Bounded: an outcome may ask for at most a couple of follow-ups (e.g. a renewal right after).
      if (more.length > 0 && depth < 3) await this.runContacts(more, depth + 1);
    }
    return last;
  }

  /** KMS is added by the KMS issue: until then every attempt ends in NO_KMS_HOST. */
  private contactKms(): { outcome: ActivationOutcome; contacts: Contact[] } {
    const error = new VactError('NO_KMS_HOST', 'no KMS host available');
    this.log(EventIds.activationFailed, 'KMS activation failed: no KMS host available', { channel: 'KMS', code: error.code });
    const contacts = this.applyEvent({ type: 'activation-failed', code: error.code, message: 'no KMS host available' }, 'kms-attempt');
    return { outcome: { ok: false, error }, contacts };
  }

  /** MAK activation against the authority; the ticket is verified before it is stored. */
  private async contactAuthority(): Promise<{ outcome: ActivationOutcome; contacts: Contact[] }> {
    const key = this.state.lifecycle.key;
    if (!key || key.type !== 'mak') {
      const error = new VactError('WRONG_CHANNEL', key ? `the installed ${key.type} key is not activated against the authority` : 'no MAK installed');
      return { outcome: { ok: false, error }, contacts: [] };
    }
    const request = { key: key.key, cmid: this.state.cmid, hardwareHash: this.state.hardware.hardwareHash, edition: this.edition.id };
    this.log(EventIds.requestSent, `MAK activation request sent to ${this.config.authorityUrl}`, { channel: 'MAK', partialKey: key.partialKey, cmid: request.cmid });
    try {
      const res = await this.mak.activate(request, () => this.trustedNow());
      this.log(EventIds.responseReceived, 'MAK activation response received', { channel: 'MAK', repeat: res.repeat, remaining: res.remaining });
      const contacts = this.applyEvent({ type: 'activation-succeeded', channel: 'MAK', validUntil: null }, 'mak-activation', (s) => {
        s.ticket = res.ticketText;
      });
      this.log(EventIds.activationSucceeded, `activated with MAK ${key.partialKey}`, { channel: 'MAK', partialKey: key.partialKey, repeat: res.repeat });
      this.logger.info('MAK activation succeeded', { partialKey: key.partialKey, remaining: res.remaining });
      return { outcome: { ok: true }, contacts };
    } catch (err) {
      const error = asVactError(err);
      const id = ['INVALID_SIGNATURE', 'TICKET_MISMATCH', 'CERTIFICATE_EXPIRED'].includes(error.code) ? EventIds.ticketRejected : EventIds.activationFailed;
      this.log(id, `MAK activation failed: ${error.message}`, { channel: 'MAK', code: error.code, partialKey: key.partialKey });
      this.logger.warn('MAK activation failed', { code: error.code, message: error.message });
      const contacts = this.applyEvent({ type: 'activation-failed', code: error.code, message: error.message }, 'mak-activation');
      return { outcome: { ok: false, error }, contacts };
    }
  }

  /** A scheduled wake: one tick of the lifecycle. Never throws (nothing crashes the daemon). */
  private async wake(): Promise<void> {
    if (this.stopped) return;
    await this.mutex.run(async () => {
      const contacts = this.applyEvent({ type: 'tick' }, 'tick');
      await this.runContacts(contacts);
    }).catch((err) => this.logger.error('lifecycle tick failed', { error: (err as Error).message }));
  }

  // ---- hardware ------------------------------------------------------------------------------

  /**
   * Starts the background hardware scan (the recorded hash serves until it is done). Called once
   * the control API listens, so the scan never delays the first answered request.
   */
  scanHardwareInBackground(): void {
    if (this.backgroundScan || this.firstStart || this.stopped) return;
    this.backgroundScan = this.rescanInBackground();
  }

  private async rescanInBackground(): Promise<void> {
    try {
      const scan = await this.scanner.scan();
      if (this.stopped) return;
      await this.mutex.run(() => this.applyScan(scan));
    } catch (err) {
      const e = asVactError(err);
      this.log(EventIds.hardwareScanFailed, `hardware scan failed: ${e.message}`, { code: e.code });
      this.logger.warn('background hardware scan failed; the recorded hardware hash stays in use', { error: e.message });
    }
  }

  /** Votes a scan against the recorded identity; beyond tolerance the identity and CMID are replaced. */
  private applyScan(scan: HardwareScan): HardwareRescanResult {
    const previous = this.state.hardware.hardwareHash;
    const vote = toleranceVote(this.state.hardware.components, scan.components);
    if (vote.withinTolerance) {
      this.applyEvent({ type: 'hardware-rescanned', withinTolerance: true }, 'hardware-rescan');
      this.log(EventIds.hardwareWithinTolerance, vote.changed.length ? `hardware changed within tolerance (${vote.changed.join(', ')})` : 'hardware unchanged', { changed: vote.changed });
    } else {
      const oldCmid = this.state.cmid;
      let regenerated = false;
      this.applyEvent({ type: 'hardware-rescanned', withinTolerance: false }, 'hardware-out-of-tolerance', (s) => {
        s.hardware = { hardwareHash: scan.hardwareHash, components: scan.components, recordedAt: scan.scannedAt };
        s.ticket = null;
      });
      regenerated = this.state.cmid !== oldCmid;
      this.log(EventIds.hardwareOutOfTolerance, `hardware changed beyond tolerance (${vote.changed.join(', ')}); reactivation needed`, { changed: vote.changed, previousHardwareHash: previous, hardwareHash: scan.hardwareHash });
      this.logger.warn('hardware changed beyond tolerance', { changed: vote.changed });
      if (!regenerated) {
        // Same CMID on different hardware is what a cloned image looks like: give this machine its own CMID.
        const cmid = newCmid();
        this.commit({ ...this.state, cmid, lifecycle: { ...this.state.lifecycle } });
        this.log(EventIds.cmidRegenerated, 'CMID regenerated (clone: same CMID on different hardware)', { reason: 'clone', previousCmid: oldCmid, cmid });
      }
    }
    return { hardwareHash: this.state.hardware.hardwareHash, previousHardwareHash: previous, withinTolerance: vote.withinTolerance, changedComponents: vote.changed, status: this.statusResult(false) };
  }

  // ---- events and notifications ---------------------------------------------------------------

  /** Appends to the event log and pushes `event.logged`; never throws. */
  private log(id: number, message: string, data?: Record<string, unknown>): void {
    try {
      const rec = this.events.append({ time: this.clock.now(), id, message, ...(data ? { data } : {}) });
      this.notify({ method: NotificationMethods.eventLogged, params: { event: toAgentEvent(rec) } });
    } catch (err) {
      this.logger.error('cannot write the event log', { error: (err as Error).message });
    }
  }

  private remind(remainingMs: number, status: LifecycleState['status']): void {
    const deadline = this.deadline();
    const days = Math.floor(remainingMs / 86_400_000);
    const hours = Math.floor((remainingMs % 86_400_000) / 3_600_000);
    const message = status === 'Notification'
      ? `${this.edition.name} is not activated: the grace period has ended. Activate it now.`
      : `${this.edition.name} is not activated: ${days} day(s) ${hours} hour(s) of grace remain.`;
    this.log(EventIds.reminder, message, { status, remainingMs });
    this.logger.info(message);
    this.notify({
      method: NotificationMethods.reminder,
      params: { status, statusCode: LicenseStatusCode[status], deadline: toWireTime(deadline), remainingMs, message, at: toWireTime(this.clock.now()) },
    });
  }

  private statusChanged(previous: LifecycleState['status'], reason: string): void {
    const status = this.state.lifecycle.status;
    this.log(EventIds.statusChanged, `license status changed from ${previous} to ${status}`, { previous, status, reason });
    this.logger.info(`license status: ${previous} -> ${status}`, { reason });
    this.notify({ method: NotificationMethods.stateChanged, params: { previous, status: this.statusResult(false), reason } });
  }

  private notify(n: ControlNotification): void {
    for (const l of this.listeners) {
      try {
        l(n);
      } catch (err) {
        this.logger.warn('notification listener failed', { error: (err as Error).message });
      }
    }
  }

  // ---- read models -----------------------------------------------------------------------------

  private deadline(): number | null {
    const lc = this.state.lifecycle;
    if (lc.status === 'InitialGrace' || lc.status === 'OutOfToleranceGrace') return lc.graceEndsAt;
    if (lc.status === 'Licensed') return lc.validUntil;
    return null;
  }

  private statusResult(verbose: boolean): StatusResult {
    const lc = this.state.lifecycle;
    const now = this.clock.now();
    const effectiveNow = Math.max(now, lc.trustedNow);
    const deadline = this.deadline();
    const channelName = lc.key ? { 'kms-client': 'VOLUME_KMSCLIENT', 'kms-host': 'VOLUME_KMS', mak: 'VOLUME_MAK' }[lc.key.type] : null;
    const result: StatusResult = {
      status: lc.status,
      statusCode: LicenseStatusCode[lc.status],
      edition: this.edition.id,
      editionName: this.edition.name,
      product: this.edition.product,
      description: channelName ? `${this.edition.name} edition, ${channelName} channel` : `${this.edition.name} edition, no product key installed`,
      channel: lc.channel,
      keyType: lc.key?.type ?? null,
      keyGroup: lc.key?.group ?? null,
      partialKey: lc.key?.partialKey ?? null,
      cmid: this.state.cmid,
      hardwareHash: this.state.hardware.hardwareHash,
      graceEndsAt: toWireTime(lc.graceEndsAt),
      validUntil: toWireTime(lc.validUntil),
      lastActivatedAt: toWireTime(lc.lastActivatedAt),
      remainingMs: deadline === null ? null : Math.max(0, deadline - effectiveNow),
      remainingRearms: lc.remainingRearms,
      lastError: lc.lastError ? { code: lc.lastError.code, message: lc.lastError.message, at: toWireTime(lc.lastError.at) } : null,
      nextAttemptAt: toWireTime(lc.nextAttemptAt),
      intervals: lc.intervals,
      now: toWireTime(now),
      trustedTime: toWireTime(lc.trustedNow),
      clock: this.clock.kind,
    };
    if (verbose) {
      result.details = {
        agentVersion: AGENT_VERSION,
        failures: lc.failures,
        lastReminderAt: toWireTime(lc.lastReminderAt),
        kmsHost: null,
        authorityUrl: this.config.authorityUrl,
        hardwareSource: this.hardwareDescription,
      };
    }
    return result;
  }

  // ---- AgentService --------------------------------------------------------------------------

  handshake(): Promise<{ agentVersion: string; clock: 'system' | 'sim'; edition: string; cmid: string }> {
    return settle(() => ({ agentVersion: AGENT_VERSION, clock: this.clock.kind, edition: this.edition.id, cmid: this.state.cmid }));
  }

  status(params: ControlParams<'status'>): Promise<StatusResult> {
    return settle(() => this.statusResult(params.verbose === true));
  }

  expiry(): Promise<ExpiryResult> {
    return settle(() => {
      const lc = this.state.lifecycle;
      const now = Math.max(this.clock.now(), lc.trustedNow);
      const deadline = this.deadline();
      const kind: ExpiryResult['kind'] = lc.status === 'Licensed' ? (lc.validUntil === null ? 'permanent' : 'validity')
        : lc.status === 'InitialGrace' || lc.status === 'OutOfToleranceGrace' ? 'grace' : 'none';
      return { status: lc.status, statusCode: LicenseStatusCode[lc.status], kind, expiresAt: toWireTime(deadline), remainingMs: deadline === null ? null : Math.max(0, deadline - now) };
    });
  }

  async activate(): Promise<StatusResult> {
    return this.mutex.run(async () => {
      const key = this.state.lifecycle.key;
      if (!key) throw new VactError('NO_KEY_INSTALLED');
      let outcome: ActivationOutcome | null;
      if (key.type === 'mak') outcome = await this.runContacts(['contact-authority']);
      else if (key.type === 'kms-client') outcome = await this.runContacts(['contact-kms']);
      else throw new VactError('WRONG_CHANNEL', 'a KMS host key is activated by the KMS host service, not by `vact activate`');
      if (outcome && !outcome.ok) throw outcome.error;
      return this.statusResult(false);
    });
  }

  async keyInstall(params: ControlParams<'key.install'>): Promise<KeyInstallResult> {
    return this.mutex.run(async () => {
      const decoded = decodeProductKey(params.key, this.catalogue.groups.map((g) => g.id));
      if (decoded.type === 'kms-host' && !hostKeyInstallableOn(this.catalogue, decoded.group, this.edition.id)) {
        throw new VactError('HOST_KEY_NOT_ALLOWED_ON_EDITION', `a ${decoded.group} KMS host key cannot be installed on ${this.edition.id}`);
      }
      const key: InstalledKey = { key: decoded.key, type: decoded.type, group: decoded.group, partialKey: decoded.partial };
      const contacts = this.applyEvent({ type: 'key-installed', key }, 'key-installed', (s) => {
        s.ticket = null;
      });
      this.log(EventIds.keyInstalled, `product key installed (${key.type}, ${key.partialKey})`, { type: key.type, group: key.group, partialKey: key.partialKey });
      this.logger.info('product key installed', { type: key.type, partialKey: key.partialKey });
      let activation: KeyInstallResult['activation'] = { attempted: false, succeeded: false, error: null };
      // A MAK activates at once; a failure leaves the key installed with retries on the activation interval.
      const wanted: typeof contacts = key.type === 'mak' && !contacts.includes('contact-authority') ? [...contacts, 'contact-authority'] : contacts;
      if (wanted.length > 0) {
        const outcome = await this.runContacts(wanted);
        if (outcome) activation = { attempted: true, succeeded: outcome.ok, error: outcome.ok ? null : toErrorData(outcome.error) };
      }
      return { key: { type: key.type, group: key.group, partialKey: key.partialKey }, activation, status: this.statusResult(false) };
    });
  }

  async keyUninstall(): Promise<StatusResult> {
    return this.mutex.run(() => {
      const key = this.state.lifecycle.key;
      if (!key) throw new VactError('NO_KEY_INSTALLED');
      this.applyEvent({ type: 'key-removed' }, 'key-uninstalled', (s) => {
        s.ticket = null;
      });
      this.log(EventIds.keyUninstalled, `product key uninstalled (${key.partialKey})`, { partialKey: key.partialKey });
      return this.statusResult(false);
    });
  }

  async rearm(): Promise<StatusResult> {
    return this.mutex.run(() => {
      const oldCmid = this.state.cmid;
      const contacts = this.applyEvent({ type: 'rearm' }, 'rearm', (s) => {
        if (s.lifecycle.status !== 'Licensed') s.ticket = null;
      });
      if (this.state.cmid === oldCmid) {
        // The rearm contract regenerates the CMID even if the lifecycle did not ask.
        const cmid = newCmid();
        this.commit({ ...this.state, cmid });
        this.log(EventIds.cmidRegenerated, 'CMID regenerated (rearm)', { reason: 'rearm', previousCmid: oldCmid, cmid });
      }
      this.log(EventIds.rearmed, `rearmed; ${this.state.lifecycle.remainingRearms} rearm(s) left`, { remainingRearms: this.state.lifecycle.remainingRearms });
      if (contacts.length > 0) void this.mutex.run(() => this.runContacts(contacts)).catch(() => undefined);
      return this.statusResult(false);
    });
  }

  private iidFields(): { key: string; hardwareHash: string; edition: string; cmid: string } {
    const key = this.state.lifecycle.key;
    if (!key) throw new VactError('NO_KEY_INSTALLED');
    if (key.type !== 'mak') throw new VactError('WRONG_CHANNEL', `offline activation needs a MAK; the installed key is ${key.type}`);
    return { key: key.key, hardwareHash: this.state.hardware.hardwareHash, edition: this.edition.id, cmid: this.state.cmid };
  }

  offlineIid(): Promise<OfflineIidResult> {
    return settle(() => {
      const fields = this.iidFields();
      const installationId = encodeInstallationId(fields, this.catalogue.groups.map((g) => g.id), this.catalogue.editions.map((e) => e.id));
      return { installationId, edition: this.edition.id, partialKey: this.state.lifecycle.key!.partialKey };
    });
  }

  async offlineConfirm(params: ControlParams<'offline.confirm'>): Promise<StatusResult> {
    return this.mutex.run(() => {
      const fields = this.iidFields();
      try {
        const ticket = decodeConfirmationId(params.confirmationId);
        verifyTicket(nodeEd25519, this.authorityKey, ticket, {
          cmid: fields.cmid, hardwareHash: fields.hardwareHash, edition: fields.edition, nonce: installationIdNonce(fields), now: this.trustedNow(),
        });
        if (ticket.body.channel !== 'offline') throw new VactError('TICKET_MISMATCH', `expected an offline confirmation, got a ${ticket.body.channel} ticket`);
        this.applyEvent({ type: 'activation-succeeded', channel: 'offline', validUntil: null }, 'offline-confirmed', (s) => {
          s.ticket = ticketToText(ticket);
        });
      } catch (err) {
        const e = asVactError(err);
        this.log(EventIds.offlineRefused, `confirmation ID refused: ${e.message}`, { code: e.code });
        throw e;
      }
      this.log(EventIds.offlineConfirmed, `activated offline (${this.state.lifecycle.key?.partialKey})`, { channel: 'offline' });
      return this.statusResult(false);
    });
  }

  eventsQuery(params: ControlParams<'events.query'>): Promise<EventsQueryResult> {
    return settle(() => {
      let since = params.since ? Date.parse(params.since) : undefined;
      if (params.withinMs !== undefined) since = Math.max(since ?? -Infinity, this.clock.now() - params.withinMs);
      const recs = this.events.query({ ...(since !== undefined ? { since } : {}), ...(params.eventIds ? { ids: params.eventIds } : {}), limit: params.limit ?? 100 });
      return { events: recs.map(toAgentEvent) };
    });
  }

  async hardwareRescan(): Promise<HardwareRescanResult> {
    const scan = await this.scanner.rescan();
    return this.mutex.run(() => this.applyScan(scan));
  }

  clockNow(): Promise<ClockResult> {
    return settle(() => this.clockResult());
  }

  private clockResult(): ClockResult {
    return { now: toWireTime(this.clock.now()), trustedTime: toWireTime(this.state.lifecycle.trustedNow), clock: this.clock.kind };
  }

  /** Moves a sim clock forward, running the lifecycle at every wake in between, in order. */
  async clockAdvance(params: ControlParams<'clock.advance'>): Promise<ClockResult> {
    if (!(this.clock instanceof SimClock) || !(this.scheduler instanceof SimWake)) throw new VactError('SIM_CLOCK_ONLY');
    const clock = this.clock;
    const sched = this.scheduler;
    return this.mutex.run(async () => {
      const target = clock.now() + params.ms;
      let wakes = 0;
      while (sched.next !== null && sched.next <= target && !this.stopped) {
        if (++wakes > MAX_WAKES_PER_ADVANCE) throw new VactError('INTERNAL', 'the lifecycle kept waking without moving on');
        if (sched.next > clock.now()) clock.advance(sched.next - clock.now());
        sched.markFired();
        const contacts = this.applyEvent({ type: 'tick' }, 'tick');
        await this.runContacts(contacts);
      }
      if (target > clock.now()) clock.advance(target - clock.now());
      const contacts = this.applyEvent({ type: 'tick' }, 'clock-advance');
      await this.runContacts(contacts);
      return this.clockResult();
    });
  }

  onNotification(listener: (n: ControlNotification) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }
}

function toAgentEvent(r: EventRecord): AgentEvent {
  return { seq: r.seq, eventId: r.id, time: toWireTime(r.time), level: eventLevel(r.id), message: r.message, ...(r.data ? { data: r.data } : {}) };
}

function toErrorData(e: VactError): ErrorData {
  return e.toJSON();
}

