// The state file is not trusted on its word: on load, Licensed must be backed by a ticket that
// verifies against the authority key and binds this CMID, hardware and edition; deadlines must
// agree with their start times and the catalogue; rearms stay within the catalogue's limit.
// Anything else is STATE_CORRUPT naming the field, and the file is left as it is.
import { VactError, hostCertificateFromText, ticketFromText, verifyHostCertificate, verifyTicket, type Catalogue, type Edition, type Ticket } from '@vact/shared/licensing';
import { nodeEd25519 } from '@vact/shared/node';
import type { AgentState } from '../store/state-file';

const DAY_MS = 86_400_000;

/** Throws STATE_CORRUPT (naming file and field) unless `state` is one this agent could have written. */
export function auditLoadedState(state: AgentState, file: string, catalogue: Catalogue, edition: Edition, authorityKey: string): void {
  const fail = (field: string, why: string): never => {
    throw new VactError('STATE_CORRUPT', `${file}: field "${field}" ${why}`, { file, field });
  };
  const lc = state.lifecycle;
  const rules = catalogue.rules;
  if (!Number.isInteger(lc.remainingRearms) || lc.remainingRearms < 0 || lc.remainingRearms > rules.rearmLimit) {
    fail('lifecycle.remainingRearms', `is ${lc.remainingRearms}; the catalogue allows 0 to ${rules.rearmLimit}`);
  }
  const graceMs = rules.graceDays * DAY_MS;
  if (lc.graceEndsAt !== null) {
    const start = lc.graceStartedAt ?? null;
    if (start !== null && lc.graceEndsAt - start > graceMs) fail('lifecycle.graceEndsAt', `is more than ${rules.graceDays} days after lifecycle.graceStartedAt`);
    if (start !== null && start > lc.trustedNow) fail('lifecycle.graceStartedAt', 'is later than the trusted time');
    if (lc.graceEndsAt > lc.trustedNow + graceMs) fail('lifecycle.graceEndsAt', `is more than the catalogue's ${rules.graceDays}-day grace ahead of the trusted time`);
  }
  if (lc.status !== 'Licensed') return;

  if (state.ticket === null) fail('ticket', 'is missing: a Licensed state needs the activation ticket it came from');
  if (lc.channel === 'KMS-host') {
    // A KMS host's own activation is its host certificate: it must chain to the authority and name this host.
    try {
      const cert = hostCertificateFromText(state.ticket!);
      verifyHostCertificate(nodeEd25519, authorityKey, cert, cert.body.issuedAt);
      if (cert.body.hostHardwareHash !== state.hardware.hardwareHash || cert.body.hostEdition !== edition.id || cert.body.hostKeyGroup !== lc.key?.group) {
        throw new Error('it names another host, edition or key group');
      }
    } catch (err) {
      fail('ticket', `is not a host certificate for this host (${(err as Error).message})`);
    }
    return;
  }
  let ticket: Ticket;
  try {
    ticket = ticketFromText(state.ticket!);
    // The certificate is checked as of the ticket's issue; the validity window is the lifecycle's job.
    verifyTicket(nodeEd25519, authorityKey, ticket, { cmid: state.cmid, hardwareHash: state.hardware.hardwareHash, edition: edition.id, now: ticket.body.issuedAt });
  } catch (err) {
    return fail('ticket', `does not verify for this machine (${(err as Error).message})`);
  }
  if (ticket.body.channel !== lc.channel) fail('lifecycle.channel', `is ${String(lc.channel)} but the ticket is a ${ticket.body.channel} activation`);
  if (lc.validUntil === null && ticket.body.validUntil !== null) fail('lifecycle.validUntil', 'is permanent but the ticket is not');
  if (lc.validUntil !== null) {
    const from = lc.lastActivatedAt ?? ticket.body.issuedAt;
    if (lc.validUntil - from > rules.kmsValidityDays * DAY_MS) fail('lifecycle.validUntil', `is more than ${rules.kmsValidityDays} days after the last activation`);
  }
}
