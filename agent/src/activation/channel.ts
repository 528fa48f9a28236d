// An activation channel: one way of asking someone to activate this machine (the authority for a
// MAK, a KMS host for a KMS client). A channel does network I/O only: it never touches the state.
import type { ActivationChannel as TicketChannel, InstalledKey, SealedKey, VactError } from '@vact/shared';

/** What the machine is, captured under the state lock when the contact starts. */
export interface ActivationRequest {
  key: InstalledKey;
  /** The MAK's seal (a MAK whose clear key was dropped is activated with it), else null. */
  seal?: SealedKey | null;
  cmid: string;
  hardwareHash: string;
  edition: string;
}

/** What a KMS host said besides yes or no: who answered, how it was found, its count and intervals. */
export interface KmsAnswer {
  host: { host: string; port: number; address?: string };
  source: 'static' | 'dns' | 'cache';
  count?: number;
  hostIntervals?: { activationMinutes: number; renewalMinutes: number };
}

/** A channel's answer: a verified activation, or the reason there is none. */
export type ChannelOutcome =
  | { ok: true; channel: TicketChannel; validUntil: number | null; ticketText: string; message: string; data: Record<string, unknown>; kms?: KmsAnswer }
  | { ok: false; error: VactError; ticketRejected?: boolean; kms?: KmsAnswer };

export interface ActivationChannel {
  /** Shown in events (MAK, KMS). */
  readonly name: string;
  /** Where the request goes, for the 12288 event. */
  target(): string;
  /** Asks for an activation; `signal` aborts it (shutdown). Never throws: failures are outcomes. */
  activate(request: ActivationRequest, signal: AbortSignal): Promise<ChannelOutcome>;
}
