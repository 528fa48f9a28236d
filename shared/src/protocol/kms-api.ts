// The KMS methods of the control API (DESIGN §6: `vact kms …`, `vact host …`): params and results
// as zod schemas, validated on both ends. The method table in control-api.ts names them.
import { z } from 'zod';
import { IntervalsSchema, LicenseStatusSchema } from '../lifecycle/license-schemas';

const IsoTime = z.iso.datetime({ offset: true });
const IsoOrNull = IsoTime.nullable();
const port = z.number().int().min(1).max(65535);
/** Interval bounds (DESIGN §3: 15 minutes … 30 days), in minutes. */
const intervalMinutes = z.number().int().min(15).max(30 * 24 * 60);
const domain = z.string().min(1).max(253);

export const KmsSetParamsSchema = z.strictObject({ host: z.string().min(1).max(253), port: port.optional() });
export const KmsClearParamsSchema = z.strictObject({});
export const KmsIntervalsParamsSchema = z.strictObject({ activationMinutes: intervalMinutes.optional(), renewalMinutes: intervalMinutes.optional() });
export const KmsPortParamsSchema = z.strictObject({ port });
export const KmsDomainParamsSchema = z.strictObject({ domain });
export const KmsDomainListParamsSchema = z.strictObject({});
export const KmsShowParamsSchema = z.strictObject({});

/** How the KMS host used last was found. */
export const KmsHostSourceSchema = z.enum(['static', 'dns', 'cache']);

/** `vact kms show`: the KMS client's settings and what it last heard (slmgr /dlv's KMS lines). */
export const KmsShowResultSchema = z.object({
  /** static when `vact kms set` named a host; otherwise dns (SRV discovery in the domains). */
  hostSource: z.enum(['static', 'dns']),
  staticHost: z.string().nullable(),
  domains: z.array(z.string()),
  /** flags: the --kms-domain list; admin: changed with `vact kms domain`. */
  domainsFrom: z.enum(['flags', 'admin']),
  dnsServer: z.string().nullable(),
  /** The host renewals go to (the one that answered last), and how it was found. */
  cachedHost: z.string().nullable(),
  cachedHostSource: KmsHostSourceSchema.nullable(),
  lastCount: z.number().int().nonnegative().nullable(),
  /** The edition's activation threshold, and the count it needs. */
  threshold: z.number().int().nonnegative(),
  intervals: IntervalsSchema,
  nextAttemptAt: IsoOrNull,
  /** renewal: Licensed, renewing on the renewal interval; retry: not activated (or a renewal failed). */
  nextAttemptKind: z.enum(['renewal', 'retry']).nullable(),
  validUntil: IsoOrNull,
  /** The port a KMS host on this machine listens on (`vact kms port`). */
  hostPort: port,
});
export type KmsShowResult = z.infer<typeof KmsShowResultSchema>;

export const KmsDomainListResultSchema = z.object({ domains: z.array(z.string()), domainsFrom: z.enum(['flags', 'admin']) });
export type KmsDomainListResult = z.infer<typeof KmsDomainListResultSchema>;

export const HostStatusParamsSchema = z.strictObject({});
export const HostClientsParamsSchema = z.strictObject({});

/** Result names of the host's request counters (and of event 12290). */
export const KmsHostResultNameSchema = z.enum(['activated', 'below-threshold', 'duplicate-cmid', 'not-activated', 'unknown-edition', 'not-covered', 'clock-skew']);

export const DnsPublishStatusSchema = z.object({
  zone: z.string(),
  server: z.string(),
  record: z.string(),
  target: z.string(),
  state: z.enum(['pending', 'published', 'failed', 'withdrawn']),
  lastAttemptAt: IsoOrNull,
  lastPublishedAt: IsoOrNull,
  nextRefreshAt: IsoOrNull,
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** `vact host status`. */
export const HostStatusResultSchema = z.object({
  /** The host answers clients only while it is activated (Licensed with a valid certificate). */
  activated: z.boolean(),
  hostStatus: LicenseStatusSchema,
  listening: z.string().nullable(),
  count: z.number().int().nonnegative(),
  cacheSize: z.number().int().nonnegative(),
  highestThreshold: z.number().int().nonnegative(),
  /** Thresholds of the editions this host's key covers. */
  thresholds: z.array(z.object({ edition: z.string(), kind: z.enum(['client', 'server']), threshold: z.number().int() })),
  requests: z.object({
    total: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    byResult: z.record(z.string(), z.number().int().nonnegative()),
    /** Connections that ended without an answer, by reason (busy, malformed, timeout, handler-failed). */
    refused: z.record(z.string(), z.number().int().nonnegative()),
  }),
  intervals: z.object({ activationMinutes: z.number().int(), renewalMinutes: z.number().int() }),
  dns: DnsPublishStatusSchema.nullable(),
  /** Which library makes the ticket signatures: libsodium when sodium-native is installed, else node:crypto (the same bytes, twice the CPU). */
  signer: z.enum(['libsodium', 'node:crypto']).optional(),
  /** Tickets signed since the listener started, and the signatures they took: clients that take batch-signed tickets share one per batch. */
  signing: z.object({ tickets: z.number().int().nonnegative(), signatures: z.number().int().nonnegative(), largestBatch: z.number().int().nonnegative() }).optional(),
  certificate: z.object({ serial: z.string(), keyGroup: z.string(), issuedAt: IsoTime, validUntil: IsoTime, valid: z.boolean() }).nullable(),
  /** The certificate's renewal with the authority: when it is due next, the last attempt and its error. */
  renewal: z.object({ nextAt: IsoOrNull, lastAttemptAt: IsoOrNull, lastError: z.object({ code: z.string(), message: z.string() }).nullable() }).optional(),
});
export type HostStatusResult = z.infer<typeof HostStatusResultSchema>;

export const HostClientSchema = z.object({
  cmid: z.string(),
  machineName: z.string(),
  edition: z.string(),
  licenseStatus: LicenseStatusSchema,
  sourceAddress: z.string(),
  firstSeen: IsoTime,
  lastSeen: IsoTime,
  requests: z.number().int().nonnegative(),
  vm: z.boolean(),
  /** One CMID seen from other machine names or hardware (a cloned image). */
  duplicate: z.boolean(),
  duplicates: z.array(z.object({ machineName: z.string(), hardwareHash: z.string(), at: IsoTime })),
});
export const HostClientsResultSchema = z.object({ clients: z.array(HostClientSchema) });
export type HostClientsResult = z.infer<typeof HostClientsResultSchema>;

/** slmgr /dlv's KMS lines in `vact status` (KMS clients only). */
export const StatusKmsSchema = z.object({
  host: z.string().nullable(),
  foundBy: KmsHostSourceSchema.nullable(),
  count: z.number().int().nonnegative().nullable(),
  activationIntervalMinutes: z.number().int(),
  renewalIntervalMinutes: z.number().int(),
  validUntil: IsoOrNull,
});
