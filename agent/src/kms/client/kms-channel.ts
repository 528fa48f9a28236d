// The KMS client as an activation channel (activation/channel.ts): one attempt through discovery,
// exchange and ticket verification, mapped to a ChannelOutcome. Never throws. Ready to register in
// the composition root in place of the unavailable KMS channel.
import { ticketToText, VactError } from '@vact/shared/licensing';
import type { ActivationChannel, ActivationRequest, ChannelOutcome } from '../../activation/channel';
import { kmsActivate, type KmsActivateDeps, type KmsClientIdentity } from './kms-activate';

const TICKET_ERRORS = new Set(['INVALID_SIGNATURE', 'TICKET_MISMATCH', 'CERTIFICATE_EXPIRED', 'PRODUCT_NOT_COVERED_BY_HOST']);

/** What the request frame needs beyond the ActivationRequest, read when the contact starts. */
export type KmsClientExtras = Pick<KmsClientIdentity, 'machineName' | 'vm' | 'licenseStatus' | 'remainingGraceMinutes'>;

export class KmsChannel implements ActivationChannel {
  readonly name = 'KMS';

  constructor(private readonly deps: KmsActivateDeps, private readonly extras: () => KmsClientExtras, private readonly describeTarget: () => string) {}

  target(): string {
    return this.describeTarget();
  }

  async activate(req: ActivationRequest, signal: AbortSignal): Promise<ChannelOutcome> {
    if (req.key.type !== 'kms-client') return { ok: false, error: new VactError('WRONG_CHANNEL', `the installed ${req.key.type} key is not activated by a KMS host`) };
    try {
      const o = await kmsActivate({ cmid: req.cmid, hardwareHash: req.hardwareHash, edition: req.edition, ...this.extras() }, this.deps, signal);
      const where = `${o.host.host}:${o.host.port}`;
      const base = { host: where, source: o.source };
      if (o.kind === 'refused') return { ok: false, error: o.error, ticketRejected: TICKET_ERRORS.has(o.error.code), kms: { host: o.host, source: o.source } };
      const data = { ...base, count: o.count, activationIntervalMinutes: o.activationIntervalMinutes, renewalIntervalMinutes: o.renewalIntervalMinutes };
      const kms = { host: o.host, source: o.source, count: o.count, hostIntervals: { activationMinutes: o.activationIntervalMinutes, renewalMinutes: o.renewalIntervalMinutes } };
      if (o.kind === 'duplicate-cmid') return { ok: false, error: new VactError('KMS_DUPLICATE_CMID', `KMS host ${where}`, data), kms };
      if (o.kind === 'below-threshold') return { ok: false, error: new VactError('KMS_COUNT_TOO_LOW', `KMS host ${where} counts ${o.count}`, data), kms };
      return { ok: true, channel: 'KMS', validUntil: o.ticket.body.validUntil, ticketText: ticketToText(o.ticket), message: `activated by KMS host ${where} (count ${o.count})`, data: { channel: 'KMS', ...data }, kms };
    } catch (err) {
      if (signal.aborted) return { ok: false, error: new VactError('KMS_HOST_UNREACHABLE', 'the contact was aborted (agent stopping)') };
      const error = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.message ?? String(err));
      return { ok: false, error };
    }
  }
}
