// One KMS activation attempt as the client channel runs it: find a host,
// exchange one request, and verify any ticket — chain to the authority key, CMID, hardware hash,
// edition, nonce, and that the host's key group covers the edition — before anything is returned.
// A rogue host (valid protocol, certificate from another authority) therefore activates nobody.
// Runs outside any state lock; the caller feeds the outcome to the lifecycle.
import { randomBytes } from 'node:crypto';
import { hostKeyActivates, VactError, verifyTicket, type Catalogue, type Clock, type Ed25519, type Ticket } from '@vact/shared/licensing';
import { type KmsRequest } from '@vact/shared/kms';
import type { KmsDiscovery, HostSource } from './discovery';
import { kmsExchange, type KmsExchangeOptions, type KmsReply, type KmsTarget } from './exchange';

export interface KmsClientIdentity {
  cmid: string;
  hardwareHash: string;
  edition: string;
  machineName: string;
  vm: boolean;
  licenseStatus: KmsRequest['licenseStatus'];
  remainingGraceMinutes: number;
}

export interface KmsActivateDeps {
  discovery: KmsDiscovery;
  clock: Clock;
  crypto: Ed25519;
  /** The authority root key configured at install. */
  rootPublicKey: string;
  catalogue: Catalogue;
  exchange?: Omit<KmsExchangeOptions, 'clock' | 'signal'>;
  /** The clock for network deadlines (real time even when the agent runs on a simulated clock); `clock` when absent. */
  timerClock?: Clock;
}

interface Answered { host: KmsTarget; source: HostSource; count: number; activationIntervalMinutes: number; renewalIntervalMinutes: number }

/** What one attempt ended in; every kind but `activated` is retried on the activation interval. */
export type KmsActivateOutcome =
  | (Answered & { kind: 'activated'; ticket: Ticket })
  | (Answered & { kind: 'below-threshold' })
  | (Answered & { kind: 'duplicate-cmid' })
  | { kind: 'refused'; host: KmsTarget; source: HostSource; error: VactError };

/**
 * Asks a KMS host. Throws (VactError NO_KMS_HOST / NO_SRV_RECORDS / KMS_HOST_UNREACHABLE, or the
 * signal's reason) only when no host answered; a host's refusal or a bad ticket is an outcome.
 */
export async function kmsActivate(me: KmsClientIdentity, deps: KmsActivateDeps, signal?: AbortSignal): Promise<KmsActivateOutcome> {
  const nonce = randomBytes(16).toString('hex');
  // This client verifies batch-signed tickets, so a busy host may sign its ticket with others under one signature.
  const request: KmsRequest = { ...me, nonce, clientTime: deps.clock.now(), batchTickets: true };
  const ask = async (t: KmsTarget, s?: AbortSignal): Promise<KmsReply> => {
    const opts = { ...deps.exchange, clock: deps.timerClock ?? deps.clock, ...(s ? { signal: s } : {}) };
    const reply = await kmsExchange(t, request, opts);
    // Our request is well-formed, so a host that cannot read it predates batch tickets and refused the flag
    // as an unknown bit (counting nothing): ask it once more without.
    if (reply.type === 'error' && reply.error.code === 'INVALID_ENCODING') return kmsExchange(t, { ...request, batchTickets: false }, opts);
    return reply;
  };
  const found = await deps.discovery.find(ask, signal);
  const { target: host, source, result: reply } = found;
  if (reply.type === 'error') {
    const e = reply.error;
    const error = new VactError(e.code ?? 'INTERNAL', `KMS host ${host.host}:${host.port}: ${e.detail}`, { host: `${host.host}:${host.port}`, number: e.number });
    return { kind: 'refused', host, source, error };
  }
  const r = reply.response;
  const answered: Answered = { host, source, count: r.count, activationIntervalMinutes: r.activationIntervalMinutes, renewalIntervalMinutes: r.renewalIntervalMinutes };
  if (r.duplicateCmid) return { ...answered, kind: 'duplicate-cmid' };
  if (!r.activated || !r.ticket) return { ...answered, kind: 'below-threshold' };
  try {
    verifyTicket(deps.crypto, deps.rootPublicKey, r.ticket, {
      cmid: me.cmid, hardwareHash: me.hardwareHash, edition: me.edition, nonce, now: deps.clock.now(),
      hostKeyCovers: (group, edition) => {
        try {
          return hostKeyActivates(deps.catalogue, group, edition);
        } catch {
          return false;
        }
      },
    });
  } catch (err) {
    // The host answered but its ticket is not ours to trust: forget it so the next attempt asks DNS again.
    deps.discovery.forget();
    const error = err instanceof VactError ? err : new VactError('INVALID_SIGNATURE', String(err));
    return { kind: 'refused', host, source, error };
  }
  return { ...answered, kind: 'activated', ticket: r.ticket };
}
