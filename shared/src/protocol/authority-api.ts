// The authority's HTTP JSON API (DESIGN §6): one zod schema per request and response body,
// validated by the server on the way in and by the client on the way back.
import { z } from 'zod';
import { VactErrorJsonSchema, type VactErrorJson } from './error-json';

/** Version prefix of every authority path. */
export const AUTHORITY_API_PREFIX = '/v1';
/** Default listen port of `vact authority serve`. */
export const AUTHORITY_DEFAULT_PORT = 8470;
/** Largest body accepted on single-item and admin endpoints. */
export const AUTHORITY_MAX_BODY_BYTES = 64 * 1024;
/** Largest body accepted on the offline batch endpoint. */
export const AUTHORITY_MAX_BATCH_BODY_BYTES = 1024 * 1024;
/** Most installation IDs in one batch request. */
export const AUTHORITY_MAX_BATCH_ITEMS = 1000;

/** The authority's HTTP paths (all under /v1). */
export const AuthorityPaths = {
  health: '/v1/health',
  authorityKey: '/v1/authority-key',
  activateMak: '/v1/activate/mak',
  activateKmsHost: '/v1/activate/kms-host',
  offlineConfirm: '/v1/offline/confirm',
  offlineConfirmBatch: '/v1/offline/confirm-batch',
  keys: '/v1/keys',
  /** GET info; POST …/revoke revokes. */
  key: (key: string): string => `/v1/keys/${encodeURIComponent(key)}`,
  keyRevoke: (key: string): string => `/v1/keys/${encodeURIComponent(key)}/revoke`,
  audit: '/v1/audit',
  clock: '/v1/clock',
  clockAdvance: '/v1/clock/advance',
} as const;

const productKeyText = z.string().min(1).max(64);
const hex = (min: number, max: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${min},${max}}$`), `expected ${min}-${max} hex characters`);
const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64').max(256);
const editionId = z.string().min(1).max(64);
const groupId = z.string().min(1).max(64);

export const CmidSchema = hex(32, 32);
export const HardwareHashSchema = hex(32, 32);
export const NonceSchema = hex(8, 128);
/** A catalogue's activation digest (catalogueIdentity): 64 lower-case hex characters. */
export const CatalogueDigestSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a catalogue digest is 64 lower-case hex characters');

/** A MAK sealed to the authority (docs/protocol.md, "Sealed key"), with the proof that binds it to this request. */
export const SealedKeyRequestSchema = z.strictObject({
  ephemeralPublicKey: hex(64, 64),
  ciphertext: hex(16, 16),
  proof: hex(32, 32),
});
export type SealedKeyRequest = z.infer<typeof SealedKeyRequestSchema>;

/** POST /v1/activate/mak: the key in clear (first activation) or sealed (an agent that no longer keeps it in clear). */
export const MakActivationRequestSchema = z.object({
  key: productKeyText.optional(),
  sealedKey: SealedKeyRequestSchema.optional(),
  cmid: CmidSchema,
  hardwareHash: HardwareHashSchema,
  edition: editionId,
  nonce: NonceSchema,
  /** The digest of the agent's catalogue (catalogueClaim); refused when it is not the authority's. */
  catalogueDigest: CatalogueDigestSchema.optional(),
}).strict().refine((r) => (r.key === undefined) !== (r.sealedKey === undefined), { message: 'give exactly one of key and sealedKey', path: ['key'] });
export type MakActivationRequest = z.infer<typeof MakActivationRequestSchema>;

export const MakActivationResponseSchema = z.object({
  /** The ticket, signed by the authority root key, in ticketToText form. */
  ticket: z.string().min(1),
  /** True when this hardware had already activated this key (nothing was counted). */
  repeat: z.boolean(),
  /** Activations left on the key after this one. */
  remaining: z.number().int().nonnegative(),
});
export type MakActivationResponse = z.infer<typeof MakActivationResponseSchema>;

/** POST /v1/activate/kms-host */
export const KmsHostActivationRequestSchema = z.object({
  key: productKeyText,
  hostPublicKey: base64,
  hardwareHash: HardwareHashSchema,
  edition: editionId,
  /** The digest of the host's catalogue (catalogueClaim); refused when it is not the authority's. */
  catalogueDigest: CatalogueDigestSchema.optional(),
}).strict();
export type KmsHostActivationRequest = z.infer<typeof KmsHostActivationRequestSchema>;

export const HostCertificateSchema = z.object({
  body: z.object({
    version: z.literal(1),
    serial: z.string(),
    hostPublicKey: z.string(),
    hostKeyGroup: z.string(),
    hostHardwareHash: z.string(),
    hostEdition: z.string(),
    issuedAt: z.number(),
    validUntil: z.number(),
  }),
  signature: z.string(),
});

export const KmsHostActivationResponseSchema = z.object({
  certificate: HostCertificateSchema,
  /** Activations this host has made with the key, including this one. */
  activations: z.number().int().positive(),
  /** Further activations this host may make with the key. */
  activationsRemaining: z.number().int().nonnegative(),
  /** Distinct hosts the key is active on. */
  hosts: z.number().int().positive(),
});
export type KmsHostActivationResponse = z.infer<typeof KmsHostActivationResponseSchema>;

/** POST /v1/offline/confirm */
export const OfflineConfirmRequestSchema = z.object({
  installationId: z.string().min(1).max(1024),
  /**
   * The digest of the catalogue of the machine that showed the IID (`vact offline iid --json`);
   * refused when it is not the authority's. The IID itself has no room for it.
   */
  catalogueDigest: CatalogueDigestSchema.optional(),
}).strict();
export type OfflineConfirmRequest = z.infer<typeof OfflineConfirmRequestSchema>;
export const OfflineConfirmResponseSchema = z.object({
  confirmationId: z.string().min(1),
  repeat: z.boolean(),
  remaining: z.number().int().nonnegative(),
});
export type OfflineConfirmResponse = z.infer<typeof OfflineConfirmResponseSchema>;

/** The error body of every non-2xx response, and of failed batch items. */
export const ApiErrorSchema = VactErrorJsonSchema;
export type ApiError = VactErrorJson;
export const ApiErrorBodySchema = z.object({ error: ApiErrorSchema });
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;

/** POST /v1/offline/confirm-batch */
export const OfflineBatchRequestSchema = z.object({
  installationIds: z.array(z.string().min(1).max(1024)).min(1).max(AUTHORITY_MAX_BATCH_ITEMS),
  /** Item i: the catalogue digest of installationIds[i]'s machine, or null when it is not known. */
  catalogueDigests: z.array(CatalogueDigestSchema.nullable()).max(AUTHORITY_MAX_BATCH_ITEMS).optional(),
}).strict().refine((r) => r.catalogueDigests === undefined || r.catalogueDigests.length === r.installationIds.length, {
  message: 'catalogueDigests must have one entry (a digest or null) per installation ID', path: ['catalogueDigests'],
});
export type OfflineBatchRequest = z.infer<typeof OfflineBatchRequestSchema>;
export const OfflineBatchItemSchema = z.union([
  z.object({ index: z.number().int().nonnegative(), ok: z.literal(true), confirmationId: z.string(), repeat: z.boolean(), remaining: z.number().int().nonnegative() }),
  z.object({ index: z.number().int().nonnegative(), ok: z.literal(false), error: ApiErrorSchema }),
]);
export type OfflineBatchItem = z.infer<typeof OfflineBatchItemSchema>;
export const OfflineBatchResponseSchema = z.object({ results: z.array(OfflineBatchItemSchema) });
export type OfflineBatchResponse = z.infer<typeof OfflineBatchResponseSchema>;

/** POST /v1/keys (admin) */
export const IssueKeyRequestSchema = z.object({
  type: z.enum(['mak', 'kms-host']),
  group: groupId,
  limit: z.number().int().min(1).max(1_000_000_000).optional(),
  note: z.string().max(500).optional(),
}).strict();
export type IssueKeyRequest = z.infer<typeof IssueKeyRequestSchema>;

export const KeyHostUsageSchema = z.object({
  hardwareHash: z.string(),
  edition: z.string(),
  activations: z.number().int(),
  activationsRemaining: z.number().int(),
  firstActivatedAt: z.number(),
  lastActivatedAt: z.number(),
});
export type KeyHostUsage = z.infer<typeof KeyHostUsageSchema>;

/** One issued key as the admin API shows it. For a KMS host key, limit/used/remaining count hosts. */
export const KeyInfoSchema = z.object({
  key: z.string(),
  partialKey: z.string(),
  type: z.enum(['mak', 'kms-host']),
  group: z.string(),
  limit: z.number().int(),
  used: z.number().int(),
  remaining: z.number().int(),
  revoked: z.boolean(),
  revokedAt: z.number().nullable(),
  issuedAt: z.number(),
  note: z.string().nullable(),
  /** KMS host keys: usage per host. */
  hosts: z.array(KeyHostUsageSchema).optional(),
});
export type KeyInfo = z.infer<typeof KeyInfoSchema>;
export const KeyListResponseSchema = z.object({ keys: z.array(KeyInfoSchema) });
export type KeyListResponse = z.infer<typeof KeyListResponseSchema>;

/** One audit trail entry (GET /v1/audit, admin). */
export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.number(),
  action: z.string(),
  partialKey: z.string().nullable(),
  who: z.string(),
  cmid: z.string().nullable(),
  result: z.string(),
  detail: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditResponseSchema = z.object({ entries: z.array(AuditEntrySchema) });
export type AuditResponse = z.infer<typeof AuditResponseSchema>;

/** POST /v1/clock/advance (admin, --clock sim only) */
export const ClockAdvanceRequestSchema = z.object({ by: z.string().min(1).max(32) }).strict();
export type ClockAdvanceRequest = z.infer<typeof ClockAdvanceRequestSchema>;
export const ClockResponseSchema = z.object({ kind: z.enum(['system', 'sim']), now: z.number() });
export type ClockResponse = z.infer<typeof ClockResponseSchema>;

export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  db: z.enum(['sqlite', 'postgres']),
  clock: ClockResponseSchema,
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const AuthorityKeyResponseSchema = z.object({ algorithm: z.literal('Ed25519'), publicKey: z.string() });
export type AuthorityKeyResponse = z.infer<typeof AuthorityKeyResponseSchema>;
