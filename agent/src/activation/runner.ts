// Makes the contacts the lifecycle asks for, OUTSIDE the state lock: the request is captured
// under the lock, the network call runs unlocked with an AbortSignal, and the outcome is fed
// back under the lock only if the machine is still the one it was made for (same key, CMID and
// hardware). A slow authority or KMS host never blocks status, admin calls or shutdown.
import { EventIds, VactError } from '@vact/shared';
import type { Announcer } from '../license/announcer';
import type { Contact } from '../license/effects';
import type { LicenseEngine } from '../license/engine';
import type { ActivationChannel, ActivationRequest } from './channel';

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
      return key ? { key, cmid: s.cmid, hardwareHash: s.hardware.hardwareHash, edition: s.edition } : null;
    });
    if (!request) return { outcome: { ok: false, error: new VactError('NO_KEY_INSTALLED') }, followUps: [] };
    const channel = this.channelFor(contact, request);
    this.announcer.log(EventIds.requestSent, `${channel.name} activation request sent to ${channel.target()}`, { channel: channel.name, partialKey: request.key.partialKey, cmid: request.cmid });
    const result = await channel.activate(request, this.abort.signal);
    if (this.abort.signal.aborted) return { outcome: { ok: false, error: new VactError('UNREACHABLE', 'the activation was cancelled: the agent is stopping') }, followUps: [] };

    return this.engine.run((): Attempt => {
      const s = this.engine.state;
      if (s.lifecycle.key?.key !== request.key.key || s.cmid !== request.cmid || s.hardware.hardwareHash !== request.hardwareHash) {
        this.announcer.log(EventIds.activationFailed, `${channel.name} activation answer discarded: the machine changed while it was under way`, { channel: channel.name, code: 'ACTIVATION_SUPERSEDED' });
        return { outcome: { ok: false, error: new VactError('ACTIVATION_SUPERSEDED') }, followUps: [] };
      }
      if (result.ok) {
        this.announcer.log(EventIds.responseReceived, `${channel.name} activation response received`, result.data);
        const more = this.engine.apply({ type: 'activation-succeeded', channel: result.channel, validUntil: result.validUntil }, `${channel.name.toLowerCase()}-activation`, (n) => {
          n.ticket = result.ticketText;
        });
        this.announcer.log(EventIds.activationSucceeded, result.message, result.data);
        this.announcer.logger.info(`${channel.name} activation succeeded`, result.data);
        return { outcome: { ok: true }, followUps: more };
      }
      const { error } = result;
      this.announcer.log(result.ticketRejected ? EventIds.ticketRejected : EventIds.activationFailed, `${channel.name} activation failed: ${error.message}`, { channel: channel.name, code: error.code, partialKey: request.key.partialKey });
      this.announcer.logger.warn(`${channel.name} activation failed`, { code: error.code, message: error.message });
      const more = this.engine.apply({ type: 'activation-failed', code: error.code, message: error.message, jitter: Math.random() }, `${channel.name.toLowerCase()}-activation`);
      return { outcome: { ok: false, error }, followUps: more };
    });
  }
}
