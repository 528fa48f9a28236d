// MAK activation over HTTP against the authority (DESIGN §5): the ticket is verified before anyone stores it.
import { randomBytes } from 'node:crypto';
import { VactError, ticketFromText, verifyTicket, type CatalogueClaim, type MakActivationRequest, type Ticket } from '@vact/shared/licensing';
import type { SealedKey } from '@vact/shared/offline';
import { AuthorityClient, nodeEd25519 } from '@vact/shared/node';
import { sharedOffline } from '../shared-on-use';

/** What a MAK activation needs to know about this machine: the key in clear, or its seal. */
export type MakActivationInput = ({ key: string } | { seal: SealedKey }) & {
  cmid: string;
  hardwareHash: string;
  edition: string;
};

/** A verified MAK activation. */
export interface MakActivationOutcome {
  ticket: Ticket;
  ticketText: string;
  repeat: boolean;
  remaining: number;
}

const TIMEOUT_MS = 15_000;

/** Talks to one authority, claiming the agent's catalogue; `now` is the agent clock used to check ticket freshness. */
export class MakActivationClient {
  private readonly client: AuthorityClient;
  constructor(baseUrl: string, private readonly authorityPublicKey: string, private readonly catalogue: CatalogueClaim, ca?: Buffer) {
    this.client = new AuthorityClient({ url: baseUrl, timeoutMs: TIMEOUT_MS, caOption: '--authority-ca', ...(ca ? { ca } : {}) });
  }

  /** Activates the MAK; throws VactError (authority's code, UNREACHABLE, or the ticket check's code). */
  async activate(input: MakActivationInput, now: () => number, signal?: AbortSignal): Promise<MakActivationOutcome> {
    const nonce = randomBytes(16).toString('hex');
    const machine = { cmid: input.cmid, hardwareHash: input.hardwareHash, edition: input.edition, nonce };
    const catalogue = this.catalogue;
    let body: MakActivationRequest;
    if ('key' in input) {
      body = { key: input.key, ...machine, ...catalogue };
    } else {
      const { bindKeyOf, makProof, sealParts } = sharedOffline();
      const parts = sealParts(input.seal);
      body = {
        sealedKey: { ephemeralPublicKey: input.seal.ephemeralPublicKey, ciphertext: input.seal.ciphertext, proof: makProof(bindKeyOf(input.seal), parts, machine) },
        ...machine, ...catalogue,
      };
    }
    const response = await this.client.activateMak(body, signal);
    let ticket: Ticket;
    try {
      ticket = ticketFromText(response.ticket);
    } catch (err) {
      throw err instanceof VactError ? err : new VactError('INVALID_SIGNATURE', `the authority's ticket cannot be decoded (${(err as Error).message})`);
    }
    verifyTicket(nodeEd25519, this.authorityPublicKey, ticket, { cmid: input.cmid, hardwareHash: input.hardwareHash, edition: input.edition, nonce, now: now() });
    if (ticket.body.channel !== 'MAK') throw new VactError('TICKET_MISMATCH', `expected a MAK ticket, got channel ${ticket.body.channel}`);
    return { ticket, ticketText: response.ticket, repeat: response.repeat, remaining: response.remaining };
  }
}

