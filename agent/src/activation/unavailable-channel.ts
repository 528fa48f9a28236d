// A channel this agent cannot serve: every attempt fails with the same explicit, logged reason
// (so a retry is never silent and `status` shows why).
import { VactError, type ErrorCodeName } from '@vact/shared';
import type { ActivationChannel, ChannelOutcome } from './channel';

export class UnavailableChannel implements ActivationChannel {
  constructor(readonly name: string, private readonly code: ErrorCodeName, private readonly reason: string) {}

  target(): string {
    return 'none';
  }

  activate(): Promise<ChannelOutcome> {
    return Promise.resolve({ ok: false, error: new VactError(this.code, this.reason) });
  }
}
