// Status and expiry as the control API reports them: pure functions of the state, the edition and the time.
import { LicenseStatusCode, isPermanentFailure, toWireTime, type CatalogueIdentity, type Edition, type ExpiryResult, type LifecycleState, type StatusResult } from '@vact/shared/licensing';
import type { AgentState } from '../store/state-file';
import { AGENT_VERSION } from '../version';

/** Facts for `status -v` that do not live in the state. */
export interface StatusContext {
  edition: Edition;
  clock: 'system' | 'sim';
  now: number;
  authorityUrl: string;
  hardwareSource: string;
  catalogue: CatalogueIdentity;
}

const CHANNEL_NAMES = { 'kms-client': 'VOLUME_KMSCLIENT', 'kms-host': 'VOLUME_KMS', mak: 'VOLUME_MAK' } as const;

/** The deadline of the current state: end of grace, end of validity, or null (permanent / none). */
export function deadlineOf(lc: LifecycleState): number | null {
  if (lc.status === 'InitialGrace' || lc.status === 'OutOfToleranceGrace') return lc.graceEndsAt;
  if (lc.status === 'Licensed') return lc.validUntil;
  return null;
}

/** The status result (`vact status [-v]`). */
export function statusView(state: AgentState, ctx: StatusContext, verbose: boolean): StatusResult {
  const lc = state.lifecycle;
  const effectiveNow = Math.max(ctx.now, lc.trustedNow);
  const deadline = deadlineOf(lc);
  const channelName = lc.key ? CHANNEL_NAMES[lc.key.type] : null;
  const { edition } = ctx;
  const result: StatusResult = {
    status: lc.status,
    statusCode: LicenseStatusCode[lc.status],
    edition: edition.id,
    editionName: edition.name,
    product: edition.product,
    description: channelName ? `${edition.name} edition, ${channelName} channel` : `${edition.name} edition, no product key installed`,
    channel: lc.channel,
    keyType: lc.key?.type ?? null,
    keyGroup: lc.key?.group ?? null,
    partialKey: lc.key?.partialKey ?? null,
    cmid: state.cmid,
    hardwareHash: state.hardware.hardwareHash,
    graceEndsAt: toWireTime(lc.graceEndsAt),
    validUntil: toWireTime(lc.validUntil),
    lastActivatedAt: toWireTime(lc.lastActivatedAt),
    remainingMs: deadline === null ? null : Math.max(0, deadline - effectiveNow),
    remainingRearms: lc.remainingRearms,
    lastError: lc.lastError ? { code: lc.lastError.code, message: lc.lastError.message, at: toWireTime(lc.lastError.at), permanent: lc.key !== null && isPermanentFailure(lc.lastError.code, lc.key.type) } : null,
    nextAttemptAt: toWireTime(lc.nextAttemptAt),
    intervals: lc.intervals,
    now: toWireTime(ctx.now),
    trustedTime: toWireTime(lc.trustedNow),
    clock: ctx.clock,
    switching: lc.switching ? { from: lc.switching.from, since: toWireTime(lc.switching.since) } : null,
  };
  if (lc.key?.type === 'kms-client') {
    const last = state.kms?.lastHost ?? null;
    const fixed = state.kms?.staticHost ?? null;
    const host = last ?? (fixed ? { ...fixed, source: 'static' as const } : null);
    result.kms = {
      host: host ? `${host.host}:${host.port}` : null, foundBy: last?.source ?? null, count: lc.kmsCount ?? null,
      activationIntervalMinutes: lc.intervals.activationMinutes, renewalIntervalMinutes: lc.intervals.renewalMinutes, validUntil: toWireTime(lc.validUntil),
    };
  }
  if (verbose) {
    result.details = {
      agentVersion: AGENT_VERSION,
      failures: lc.failures,
      lastReminderAt: toWireTime(lc.lastReminderAt),
      kmsHost: result.kms?.host ?? state.kms?.staticHost?.host ?? null,
      authorityUrl: ctx.authorityUrl,
      hardwareSource: ctx.hardwareSource,
      catalogue: ctx.catalogue,
    };
  }
  return result;
}

/** The expiry result (`vact expiry`). */
export function expiryView(state: AgentState, now: number): ExpiryResult {
  const lc = state.lifecycle;
  const effectiveNow = Math.max(now, lc.trustedNow);
  const deadline = deadlineOf(lc);
  const kind: ExpiryResult['kind'] = lc.status === 'Licensed' ? (lc.validUntil === null ? 'permanent' : 'validity')
    : lc.status === 'InitialGrace' || lc.status === 'OutOfToleranceGrace' ? 'grace' : 'none';
  return { status: lc.status, statusCode: LicenseStatusCode[lc.status], kind, expiresAt: toWireTime(deadline), remainingMs: deadline === null ? null : Math.max(0, deadline - effectiveNow) };
}
