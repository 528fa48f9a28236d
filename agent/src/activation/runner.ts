// Makes the contacts the lifecycle asks for, OUTSIDE the state lock: the request is captured
// under the lock, the network call runs unlocked with an AbortSignal, and the outcome is fed
// back under the lock only if the machine is still the one it was made for (same key, CMID and
// hardware). A slow authority or KMS host never blocks status, admin calls or shutdown.
import { EventIds, VactError } from '@vact/shared/licensing';
import type { AgentState } from '../store/state-file';
import { newCmid } from '../license/engine';
import type { Announcer } from '../license/announcer';
import type { Contact } from '../license/effects';
import type { LicenseEngine } from '../license/engine';
import type { ActivationChannel, ActivationRequest, KmsAnswer } from './channel';

/** Remembers the KMS host that answered, so renewals go to it (and `status` says how it was found). */
function rememberHost(s: AgentState, kms: KmsAnswer | undefined): void {
  if (!kms) return;
  const prev = s.kms ?? { staticHost: null, domains: null, port: null };
  s.kms = { ...prev, lastHost: { host: kms.host.host, port: kms.host.port, ...(kms.host.address ? { address: kms.host.address } : {}), source: kms.source } };
}

/** The result of one contact, as `vact activate` reports it. */
export type ActivationOutcome = { ok: true } | { ok: false; error: VactError };

/** Which channel serves a contact for the installed key type. */
export interface Channels {
  mak: ActivationChannel;
  kms: ActivationChannel;
  kmsHost: ActivationChannel;
}

interface Attempt { outcome: ActivationOutcome; followUps: Contact[] }

/** Bound on follow-up contacts an outcome may ask for (e.g. a renewal right after an activation). */
const MAX_FOLLOW_UPS = 3;

export class ActivationRunner {
  private readonly abort = new AbortController();
  private readonly inFlight = new Map<Contact, Promise<Attempt>>();

  constructor(
    private readonly engine: LicenseEngine,
    private readonly channels: Channels,
    private readonly announcer: Announcer,
  ) {}

  /** Makes `contacts` in order (and their follow-ups); resolves with the last outcome, or null. */
  async runAll(contacts: readonly Contact[], depth = 0): Promise<ActivationOutcome | null> {
    let last: ActivationOutcome | null = null;
    for (const c of contacts) {
      if (this.abort.signal.aborted) break;
      const { outcome, followUps } = await this.run(c);
      last = outcome;
      // A follow-up (e.g. a renewal right after) is a new contact: this one has left the in-flight table.
      if (followUps.length > 0 && depth < MAX_FOLLOW_UPS) await this.runAll(followUps, depth + 1);
    }
    return last;
  }

  /** One contact; a contact already under way is joined rather than started twice. */
  private run(contact: Contact): Promise<Attempt> {
    const running = this.inFlight.get(contact);
    if (running) return running;
    const p = this.attempt(contact).finally(() => this.inFlight.delete(contact));
    this.inFlight.set(contact, p);
    return p;
  }

  /** Aborts contacts in flight and waits for them to settle. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private channelFor(contact: Contact, request: ActivationRequest): ActivationChannel {
    if (contact === 'contact-kms') return this.channels.kms;
    return request.key.type === 'kms-host' ? this.channels.kmsHost : this.channels.mak;
  }

  private async attempt(contact: Contact): Promise<Attempt> {
    const request = await this.engine.run((): ActivationRequest | null => {
      const s = this.engine.state;
      const key = s.lifecycle.key;
      return key ? { key, seal: s.keySeal, cmid: s.cmid, hardwareHash: s.hardware.hardwareHash, edition: s.edition } : null;
    });
    if (!request) return { outcome: { ok: false, error: new VactError('NO_KEY_INSTALLED') }, followUps: [] };
    const channel = this.channelFor(contact, request);
    this.announcer.log(EventIds.requestSent, `${channel.name} activation request sent to ${channel.target()}`, { channel: channel.name, partialKey: request.key.partialKey, cmid: request.cmid });
    const result = await channel.activate(request, this.abort.signal);
    if (this.abort.signal.aborted) return { outcome: { ok: false, error: new VactError('UNREACHABLE', 'the activation was cancelled: the agent is stopping') }, followUps: [] };

    return this.engine.run((): Attempt => {
      const s = this.engine.state;
      if (s.lifecycle.key?.key !== request.key.key || s.keySeal?.ephemeralPublicKey !== request.seal?.ephemeralPublicKey || s.cmid !== request.cmid || s.hardware.hardwareHash !== request.hardwareHash) {
        this.announcer.log(EventIds.activationFailed, `${channel.name} activation answer discarded: the machine changed while it was under way`, { channel: channel.name, code: 'ACTIVATION_SUPERSEDED' });
        return { outcome: { ok: false, error: new VactError('ACTIVATION_SUPERSEDED') }, followUps: [] };
      }
      if (result.ok) {
        this.announcer.log(EventIds.responseReceived, `${channel.name} activation response received`, result.data);
        const k = result.kms;
        const more = this.engine.apply({
          type: 'activation-succeeded', channel: result.channel, validUntil: result.validUntil,
          ...(k?.hostIntervals ? { hostIntervals: k.hostIntervals } : {}), ...(k?.count !== undefined ? { count: k.count } : {}),
        }, `${channel.name.toLowerCase()}-activation`, (n) => {
          n.ticket = result.ticketText;
          rememberHost(n, k);
        });
        this.announcer.log(EventIds.activationSucceeded, result.message, result.data);
        this.announcer.logger.info(`${channel.name} activation succeeded`, result.data);
        return { outcome: { ok: true }, followUps: more };
      }
      const { error } = result;
      // A KMS host that answered (below threshold, duplicate CMID, a refusal) is a response too (12289, with the count).
      if (result.kms && result.kms.count !== undefined) this.announcer.log(EventIds.responseReceived, `${channel.name} activation response received: ${error.code} (count ${result.kms.count})`, { channel: channel.name, host: `${result.kms.host.host}:${result.kms.host.port}`, count: result.kms.count, code: error.code });
      this.announcer.log(result.ticketRejected ? EventIds.ticketRejected : EventIds.activationFailed, `${channel.name} activation failed: ${error.message}`, { channel: channel.name, code: error.code, partialKey: request.key.partialKey });
      this.announcer.logger.warn(`${channel.name} activation failed`, { code: error.code, message: error.message });
      const k = result.kms;
      // A KMS host that saw this CMID on another machine (a cloned image): this machine takes a new
      // CMID in the same commit as the outcome, and asks again at once.
      const duplicate = error.code === 'KMS_DUPLICATE_CMID';
      let previousCmid = '';
      const more = this.engine.apply({
        type: 'activation-failed', code: error.code, message: error.message, jitter: Math.random(),
        ...(k?.hostIntervals ? { hostIntervals: k.hostIntervals } : {}), ...(k?.count !== undefined ? { count: k.count } : {}),
      }, `${channel.name.toLowerCase()}-activation`, (n) => {
        if (!result.ticketRejected) rememberHost(n, k);
        if (duplicate) {
          previousCmid = n.cmid;
          n.cmid = newCmid();
        }
      });
      if (duplicate) {
        const cmid = this.engine.state.cmid;
        this.announcer.log(EventIds.cmidRegenerated, 'CMID regenerated (duplicate-cmid): the KMS host saw this CMID on another machine', { reason: 'duplicate-cmid', previousCmid, cmid, host: k ? `${k.host.host}:${k.host.port}` : null });
        this.announcer.logger.warn('the KMS host reported a duplicate CMID; regenerated the CMID and asking again', { previousCmid, cmid });
        return { outcome: { ok: false, error }, followUps: more.includes('contact-kms') ? more : [...more, 'contact-kms'] };
      }
      return { outcome: { ok: false, error }, followUps: more };
    });
  }
}
