// MAK proxy for a fleet: collect installation IDs from agents, get confirmation IDs from the
// authority in one batch (or through request/response files for isolated labs), deposit them.
// Plain TypeScript; the files hold installation and confirmation IDs and catalogue digests only (no names, no URLs).
import { z } from 'zod';
import { AuthorityPaths, CatalogueDigestSchema, OfflineBatchResponseSchema, type OfflineBatchResponse } from '@vact/shared';
import type { AgentConnection } from '../agents/agent-connection';
import { describeError, type Described } from '../model/errors';

export const RequestFileSchema = z.strictObject({
  format: z.literal('vact-mak-proxy-request'),
  version: z.literal(1),
  createdAt: z.string(),
  installationIds: z.array(z.string().min(1).max(1024)).min(1).max(1000),
  /** Item i: the catalogue digest of installationIds[i]'s agent (null: an agent that does not say). */
  catalogueDigests: z.array(CatalogueDigestSchema.nullable()).max(1000).optional(),
});
export type RequestFile = z.infer<typeof RequestFileSchema>;

export const ResponseFileSchema = z.strictObject({
  format: z.literal('vact-mak-proxy-response'),
  version: z.literal(1),
  results: z.array(z.union([
    z.strictObject({ installationId: z.string(), confirmationId: z.string() }),
    z.strictObject({ installationId: z.string(), error: z.object({ code: z.string(), message: z.string() }) }),
  ])),
});
export type ResponseFile = z.infer<typeof ResponseFileSchema>;

export interface Collected {
  conn: AgentConnection;
  installationId: string;
  /** The agent's catalogue digest, checked by the authority along with the IID. */
  catalogueDigest: string | null;
}

export interface ProxyReport {
  deposited: string[];
  failed: { name: string; error: Described }[];
}

export interface Cancel {
  readonly isCancellationRequested: boolean;
}

/** Reads every agent's installation ID; agents that cannot give one are reported. */
export async function collect(conns: AgentConnection[], report: ProxyReport, cancel?: Cancel): Promise<Collected[]> {
  const out: Collected[] = [];
  for (const conn of conns) {
    if (cancel?.isCancellationRequested) break;
    try {
      const iid = await conn.call('offline.iid');
      out.push({ conn, installationId: iid.installationId, catalogueDigest: iid.catalogueDigest ?? null });
    } catch (err) {
      report.failed.push({ name: conn.snapshot.config.name, error: describeError(err) });
    }
  }
  return out;
}

export function requestFile(items: Collected[], now: Date): RequestFile {
  const digests = items.map((i) => i.catalogueDigest);
  return {
    format: 'vact-mak-proxy-request', version: 1, createdAt: now.toISOString(), installationIds: items.map((i) => i.installationId),
    ...(digests.some((d) => d !== null) ? { catalogueDigests: digests } : {}),
  };
}

/** What the authority answered, as a response file (what an isolated lab receives back). */
export function responseFile(installationIds: string[], batch: OfflineBatchResponse): ResponseFile {
  return {
    format: 'vact-mak-proxy-response',
    version: 1,
    results: batch.results.map((r) => {
      const installationId = installationIds[r.index] ?? '';
      return r.ok ? { installationId, confirmationId: r.confirmationId } : { installationId, error: { code: r.error.code, message: r.error.message } };
    }),
  };
}

/** POSTs the installation IDs (with their agents' catalogue digests, where known) to the authority's batch endpoint. */
export async function confirmBatch(authorityUrl: string, installationIds: string[], catalogueDigests: (string | null)[] = [], fetchImpl: typeof fetch = fetch): Promise<OfflineBatchResponse> {
  const digests = catalogueDigests.some((d) => d !== null) ? { catalogueDigests } : {};
  const res = await fetchImpl(new URL(AuthorityPaths.offlineConfirmBatch, authorityUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ installationIds, ...digests }) });
  const body: unknown = await res.json();
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } }).error;
    throw Object.assign(new Error(err?.message ?? `HTTP ${res.status}`), { code: err?.code ?? 'AUTHORITY_ERROR' });
  }
  return OfflineBatchResponseSchema.parse(body);
}

/** Deposits each confirmation ID on the agent whose installation ID it answers. */
export async function deposit(items: Collected[], response: ResponseFile, report: ProxyReport, cancel?: Cancel): Promise<void> {
  const byIid = new Map(response.results.map((r) => [r.installationId, r]));
  for (const item of items) {
    if (cancel?.isCancellationRequested) break;
    const name = item.conn.snapshot.config.name;
    const r = byIid.get(item.installationId);
    if (!r) {
      report.failed.push({ name, error: { code: 'NOT_IN_RESPONSE', message: 'The response has no confirmation ID for this machine\'s installation ID', hint: 'Export a new request: the installation ID changed (new key, rearm or hardware change).' } });
    } else if ('error' in r) {
      report.failed.push({ name, error: { code: r.error.code, message: r.error.message, hint: '' } });
    } else {
      try {
        await item.conn.call('offline.confirm', { confirmationId: r.confirmationId });
        report.deposited.push(name);
      } catch (err) {
        report.failed.push({ name, error: describeError(err) });
      }
    }
  }
}
