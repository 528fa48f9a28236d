// MAK activation against the authority (independent activation); the ticket is verified before
// the outcome is reported, so nothing unverified ever reaches the state.
import { VactError } from '@vact/shared/licensing';
import type { MakActivationClient } from './mak-client';
import type { ActivationChannel, ActivationRequest, ChannelOutcome } from './channel';

const TICKET_ERRORS = new Set(['INVALID_SIGNATURE', 'TICKET_MISMATCH', 'CERTIFICATE_EXPIRED']);

export class MakChannel implements ActivationChannel {
  readonly name = 'MAK';

  constructor(private readonly client: MakActivationClient, private readonly url: string, private readonly now: () => number) {}

  target(): string {
    return this.url;
  }

  async activate(req: ActivationRequest, signal: AbortSignal): Promise<ChannelOutcome> {
    if (req.key.type !== 'mak') return { ok: false, error: new VactError('WRONG_CHANNEL', `the installed ${req.key.type} key is not activated against the authority`) };
    try {
      // The clear key while the agent has it (first activation); the seal once it is dropped.
      const key = req.key.key !== null ? { key: req.key.key } : req.seal ? { seal: req.seal } : null;
      if (!key) return { ok: false, error: new VactError('NO_KEY_INSTALLED', 'the installed MAK is kept neither in clear nor sealed: install it again') };
      const res = await this.client.activate({ ...key, cmid: req.cmid, hardwareHash: req.hardwareHash, edition: req.edition }, this.now, signal);
      return {
        ok: true, channel: 'MAK', validUntil: null, ticketText: res.ticketText,
        message: `activated with MAK ${req.key.partialKey}`, data: { channel: 'MAK', partialKey: req.key.partialKey, repeat: res.repeat, remaining: res.remaining },
      };
    } catch (err) {
      const error = err instanceof VactError ? err : new VactError('INTERNAL', (err as Error)?.message ?? String(err));
      return { ok: false, error, ticketRejected: TICKET_ERRORS.has(error.code) };
    }
  }
}
