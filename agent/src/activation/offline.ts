// Offline activation (the phone / removable-media path): the installation ID this machine shows,
// and the confirmation ID it accepts only once its ticket verifies for this very machine.
import {
  VactError, encodeInstallationId, installationIdNonce, decodeConfirmationId, verifyTicket, ticketToText,
  type Catalogue, type Edition, type Ticket,
} from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';
import type { AgentState } from '../store/state-file';

/** What the installation ID is made of. */
export interface IidFields { key: string; hardwareHash: string; edition: string; cmid: string }

/** The IID fields of this machine; throws unless a MAK is installed. */
export function iidFields(state: AgentState, edition: Edition): IidFields {
  const key = state.lifecycle.key;
  if (!key) throw new VactError('NO_KEY_INSTALLED');
  if (key.type !== 'mak') throw new VactError('WRONG_CHANNEL', `offline activation needs a MAK; the installed key is ${key.type}`);
  return { key: key.key, hardwareHash: state.hardware.hardwareHash, edition: edition.id, cmid: state.cmid };
}

/** The installation ID to read out or hand over. */
export function installationIdOf(fields: IidFields, catalogue: Catalogue): string {
  return encodeInstallationId(fields, catalogue.groups.map((g) => g.id), catalogue.editions.map((e) => e.id));
}

/** Decodes and verifies a confirmation ID for this machine; returns the ticket text to store. */
export function verifyConfirmation(confirmationId: string, fields: IidFields, authorityKey: string, now: number): string {
  const ticket: Ticket = decodeConfirmationId(confirmationId);
  verifyTicket(nodeEd25519, authorityKey, ticket, {
    cmid: fields.cmid, hardwareHash: fields.hardwareHash, edition: fields.edition, nonce: installationIdNonce(fields), now,
  });
  if (ticket.body.channel !== 'offline') throw new VactError('TICKET_MISMATCH', `expected an offline confirmation, got a ${ticket.body.channel} ticket`);
  return ticketToText(ticket);
}
