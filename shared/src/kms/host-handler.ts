// The KMS host's decision for one request (DESIGN §3, §5): pure — host state, catalogue, host clock
// and certificate status in; new state, a response or a catalogue error, and the 12290 event out.
// Signing is injected, so the handler runs the same with node:crypto, a test signer or a batch.
import { hostKeyActivates } from '../catalogue/catalogue';
import type { Catalogue } from '../catalogue/types';
import { VactError } from '../errors/error-codes';
import type { HostCertificate } from '../tickets/certificate';
import type { Ticket, TicketBody } from '../tickets/ticket';
import { isDuplicate, recordClient, type KmsClientRegister, type SeenRequest } from './client-register';
import { recordRequest, type HostCountCache } from './host-count';
import { kmsErrorFrom, type KmsErrorReply, type KmsRequest, type KmsResponse } from './wire/messages';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Signs a KMS ticket body with the host key and attaches the host certificate. */
export interface KmsTicketSigner {
  sign(body: TicketBody): Ticket;
  /** Signs several bodies under one signature (a batch of one is `sign`'s ticket); tickets in the bodies' order. */
  signBatch(bodies: readonly TicketBody[]): Ticket[];
}

export interface KmsHostState {
  count: HostCountCache;
  clients: KmsClientRegister;
}

export interface KmsHostContext {
  catalogue: Catalogue;
  /** The host's clock, ms since epoch. */
  now: number;
  /** The host's own license is Licensed (not in grace or Notification). */
  hostLicensed: boolean;
  /** The host certificate from the authority; none before the host is activated. */
  certificate: HostCertificate | undefined;
  /** The intervals the host pushes to its clients. */
  activationIntervalMinutes: number;
  renewalIntervalMinutes: number;
  signer: KmsTicketSigner;
  /** Where the request came from (recorded for `vact host clients`). */
  sourceAddress: string;
}

/** Result names of event 12290 and of the host's request counters. */
export type KmsHostResult = 'activated' | 'below-threshold' | 'duplicate-cmid' | 'not-activated' | 'unknown-edition' | 'not-covered' | 'clock-skew';

export interface KmsHostDecision {
  state: KmsHostState;
  /** The ticket body to sign when activated; `handleKmsRequest` has signed it into the reply already. */
  toSign?: TicketBody;
  reply: { type: 'response'; response: KmsResponse } | { type: 'error'; error: KmsErrorReply };
  /** Event 12290. */
  event: { cmid: string; edition: string; count: number; licenseStatus: string; result: KmsHostResult };
}

/** Is the host itself in a state to answer clients? The certificate must be valid now. */
export function hostActive(ctx: Pick<KmsHostContext, 'hostLicensed' | 'certificate' | 'now'>): boolean {
  const c = ctx.certificate;
  return ctx.hostLicensed && c !== undefined && c.body.issuedAt <= ctx.now + 4 * 60 * MINUTE_MS && ctx.now <= c.body.validUntil;
}

/** Decides the reply to one request and signs its ticket; refusals leave the state (and so the count) unchanged. */
export function handleKmsRequest(state: KmsHostState, q: KmsRequest, ctx: KmsHostContext): KmsHostDecision {
  const d = decideKmsRequest(state, q, ctx);
  if (d.toSign && d.reply.type === 'response') d.reply.response.ticket = ctx.signer.sign(d.toSign);
  return d;
}

/**
 * Decides the reply to one request, its ticket left unsigned (`toSign`): the caller signs it, alone or
 * in a batch, and puts it in the response before encoding. Refusals leave the state unchanged.
 */
export function decideKmsRequest(state: KmsHostState, q: KmsRequest, ctx: Omit<KmsHostContext, 'signer'>): KmsHostDecision {
  const refuse = (result: KmsHostResult, err: VactError): KmsHostDecision => ({
    state,
    reply: { type: 'error', error: kmsErrorFrom(err, q.nonce, ctx.now) },
    event: { cmid: q.cmid, edition: q.edition, count: 0, licenseStatus: q.licenseStatus, result },
  });
  if (!hostActive(ctx)) return refuse('not-activated', new VactError('KMS_HOST_NOT_ACTIVATED', ctx.certificate ? 'the host is not Licensed or its certificate is not valid now' : 'the host has no certificate'));
  const cert = ctx.certificate!;
  const edition = ctx.catalogue.editions.find((e) => e.id === q.edition);
  if (!edition) return refuse('unknown-edition', new VactError('UNKNOWN_EDITION', q.edition, { edition: q.edition }));
  if (!hostKeyActivates(ctx.catalogue, cert.body.hostKeyGroup, edition.id)) {
    return refuse('not-covered', new VactError('PRODUCT_NOT_COVERED_BY_HOST', `host key group ${cert.body.hostKeyGroup} does not cover ${edition.id}`));
  }
  const skewMs = ctx.catalogue.rules.clockSkewMinutes * MINUTE_MS;
  if (Math.abs(q.clientTime - ctx.now) > skewMs) {
    return refuse('clock-skew', new VactError('CLOCK_SKEW', `client ${new Date(q.clientTime).toISOString()}, host ${new Date(ctx.now).toISOString()}`));
  }

  // Written out, never spread: on Node 20 a spread copy on the host's path is promoted to V8's old
  // generation even when it is garbage at once (docs/architecture.md, "No spread copies").
  const seen: SeenRequest = {
    cmid: q.cmid, machineName: q.machineName, hardwareHash: q.hardwareHash, edition: q.edition, licenseStatus: q.licenseStatus, vm: q.vm,
    sourceAddress: ctx.sourceAddress, now: ctx.now,
  };
  const duplicate = isDuplicate(state.clients, seen);
  // A cloned CMID is counted once: it refreshes the one entry, it never adds another.
  const counted = recordRequest(state.count, { cmid: q.cmid, threshold: edition.threshold, kind: edition.kind, edition: edition.id, now: ctx.now }, { lifetimeDays: ctx.catalogue.rules.cmidCacheLifetimeDays });
  const next: KmsHostState = { count: counted.cache, clients: recordClient(state.clients, seen, counted.dropped) };
  // A clone gets no ticket: it must regenerate its CMID first, so two machines never hold one identity.
  const activated = counted.activated && !duplicate;
  const response: KmsResponse = {
    nonce: q.nonce, count: counted.count, activated, duplicateCmid: duplicate,
    activationIntervalMinutes: ctx.activationIntervalMinutes, renewalIntervalMinutes: ctx.renewalIntervalMinutes, hostTime: ctx.now,
  };
  const toSign: TicketBody | undefined = activated ? {
    version: 1, cmid: q.cmid, hardwareHash: q.hardwareHash, edition: edition.id, channel: 'KMS',
    partialKey: edition.kmsClientSetupKey.slice(-5), issuedAt: ctx.now, validUntil: ctx.now + ctx.catalogue.rules.kmsValidityDays * DAY_MS,
    nonce: q.nonce, issuer: 'kms-host',
  } : undefined;
  const result: KmsHostResult = duplicate ? 'duplicate-cmid' : activated ? 'activated' : 'below-threshold';
  const event = { cmid: q.cmid, edition: edition.id, count: counted.count, licenseStatus: q.licenseStatus, result };
  const decision: KmsHostDecision = { state: next, reply: { type: 'response', response }, event };
  if (toSign) decision.toSign = toSign;
  return decision;
}

