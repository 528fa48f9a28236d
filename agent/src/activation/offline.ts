// Offline activation (the phone / removable-media path): the installation ID this machine shows,
// and the confirmation ID it accepts only once its ticket verifies for this very machine. The IID
// is made from the MAK's seal (license/key-custody.ts), so it gives the key away to no one.
import { VactError, verifyTicket, ticketToText, type Catalogue, type Edition, type Ticket } from '@vact/shared/licensing';
import type { InstallationIdInput } from '@vact/shared/offline';
import { nodeEd25519 } from '@vact/shared/node';
import type { AgentState } from '../store/state-file';
import { sharedOffline } from '../shared-on-use';

/** What the installation ID is made of. */
export type IidFields = InstallationIdInput;

/** The IID fields of this machine; throws unless a MAK is installed. */
export function iidFields(state: AgentState, edition: Edition): IidFields {
  const key = state.lifecycle.key;
  if (!key) throw new VactError('NO_KEY_INSTALLED');
  if (key.type !== 'mak') throw new VactError('WRONG_CHANNEL', `offline activation needs a MAK; the installed key is ${key.type}`);
  if (!state.keySeal) throw new VactError('INTERNAL', 'the installed MAK has no seal');
  return { seal: state.keySeal, hardwareHash: state.hardware.hardwareHash, edition: edition.id, cmid: state.cmid };
}

const editionIdsOf = (catalogue: Catalogue): string[] => catalogue.editions.map((e) => e.id);

/** The installation ID to read out or hand over (the same for as long as key, CMID and hardware stay). */
export function installationIdOf(fields: IidFields, catalogue: Catalogue): string {
  return sharedOffline().encodeInstallationId(fields, editionIdsOf(catalogue));
}

/** Decodes and verifies a confirmation ID for this machine; returns the ticket text to store. */
export function verifyConfirmation(confirmationId: string, fields: IidFields, catalogue: Catalogue, authorityKey: string, now: number): string {
  const { decodeConfirmationId, decodeInstallationId, installationIdNonce } = sharedOffline();
  const ticket: Ticket = decodeConfirmationId(confirmationId);
  const nonce = installationIdNonce(decodeInstallationId(installationIdOf(fields, catalogue), editionIdsOf(catalogue)), editionIdsOf(catalogue));
  verifyTicket(nodeEd25519, authorityKey, ticket, { cmid: fields.cmid, hardwareHash: fields.hardwareHash, edition: fields.edition, nonce, now });
  if (ticket.body.channel !== 'offline') throw new VactError('TICKET_MISMATCH', `expected an offline confirmation, got a ${ticket.body.channel} ticket`);
  return ticketToText(ticket);
}
