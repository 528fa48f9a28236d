// The agent control API (DESIGN §6): JSON-RPC 2.0 over WebSocket. This file is the seam between
// the control server/CLI and the daemon: zod schemas for every method's params and result, the
// notification payloads, the handshake, and the AgentService the daemon implements.
// Both ends validate with these schemas. Times on the wire are ISO 8601 UTC strings
// (Date#toISOString, e.g. "2026-11-27T10:00:00.000Z") or null; durations are milliseconds.
// Additive changes only: new optional fields, new methods. Bump CONTROL_PROTOCOL_VERSION otherwise.
import { z } from 'zod';
import { ActivationChannelSchema, IntervalsSchema, KeyTypeSchema, LicenseStatusSchema } from '../lifecycle/license-schemas';

import { VactErrorJsonSchema, type VactErrorJson } from './error-json';
import { CatalogueDigestSchema } from './authority-api';
import {
  HostClientsParamsSchema, HostClientsResultSchema, HostStatusParamsSchema, HostStatusResultSchema, KmsClearParamsSchema,
  KmsDomainListParamsSchema, KmsDomainListResultSchema, KmsDomainParamsSchema, KmsIntervalsParamsSchema, KmsPortParamsSchema,
  KmsSetParamsSchema, KmsShowParamsSchema, KmsShowResultSchema, StatusKmsSchema,
  type HostClientsResult, type HostStatusResult, type KmsDomainListResult, type KmsShowResult,
} from './kms-api';

/** Version of the control protocol; the handshake refuses any other. */
export const CONTROL_PROTOCOL_VERSION = 1;
/** Default control API port (the KMS port 1688 plus one). */
export const DEFAULT_CONTROL_PORT = 1689;
/** Default control API listen address. */
export const DEFAULT_CONTROL_HOST = '127.0.0.1';
/** Default control API URL the CLI talks to. */
export const DEFAULT_AGENT_URL = `ws://${DEFAULT_CONTROL_HOST}:${DEFAULT_CONTROL_PORT}`;
/** File names of the two bearer tokens inside the agent state dir (mode 0600). */
export const CONTROL_TOKEN_FILES = { user: 'user.token', admin: 'admin.token' } as const;
/** Largest WebSocket message the control server accepts (bytes). */
export const CONTROL_MAX_PAYLOAD = 64 * 1024;

export const ControlRoleSchema = z.enum(['user', 'admin']);
export type ControlRole = z.infer<typeof ControlRoleSchema>;

/** Who is calling: the role proven by the token, and where from. */
export interface CallerContext {
  role: ControlRole;
  remoteAddress?: string;
}

// ---- building blocks -------------------------------------------------------------------

/** ISO 8601 UTC timestamp. */
export const IsoTimeSchema = z.iso.datetime({ offset: true });
const IsoOrNull = IsoTimeSchema.nullable();

export const ClockKindSchema = z.enum(['system', 'sim']);

/** The error object carried in a JSON-RPC error's `data` (and printed by `vact … --json`). */
export const ErrorDataSchema = VactErrorJsonSchema;
export type ErrorData = VactErrorJson;

export const LastErrorSchema = z.object({
  code: z.string(), message: z.string(), at: IsoTimeSchema,
  /** True when the agent does not retry it (a refusal only an administrator can lift: a new key, `vact activate`). */
  permanent: z.boolean().optional(),
});


/** One structured event of the agent's event log (DESIGN §8). */
export const AgentEventSchema = z.object({
  /** Monotonic sequence number within this agent's log. */
  seq: z.number().int().nonnegative(),
  /** 12288/12289/12290 as in the guide, or the project's own ids. */
  eventId: z.number().int().nonnegative(),
  time: IsoTimeSchema,
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AgentEvent = z.infer<typeof AgentEventSchema>;

// ---- handshake --------------------------------------------------------------------------

export const HandshakeParamsSchema = z.strictObject({
  protocol: z.number().int(),
  /** The bearer token, when it was not sent in the Authorization header of the upgrade. */
  token: z.string().max(256).optional(),
  /** Free-form client name for logs, e.g. "vact-cli/0.1.0". */
  client: z.string().max(100).optional(),
});
/** What the daemon says about itself in the handshake. */
export const AgentInfoSchema = z.object({
  agentVersion: z.string(),
  clock: ClockKindSchema,
  edition: z.string(),
  cmid: z.string(),
});
export const HandshakeResultSchema = z.object({
  protocol: z.number().int(),
  role: ControlRoleSchema,
  serverTime: IsoTimeSchema,
  agent: AgentInfoSchema,
});

// ---- status / expiry -----------------------------------------------------------------------

export const StatusParamsSchema = z.strictObject({ verbose: z.boolean().optional() });
/** Everything slmgr /dli and /dlv would show, plus the lifecycle fields scripts rely on. */
export const StatusResultSchema = z.object({
  status: LicenseStatusSchema,
  /** DESIGN §3: 0 Unlicensed, 1 Licensed, 2 InitialGrace, 3 OutOfToleranceGrace, 5 Notification. */
  statusCode: z.number().int(),
  edition: z.string(),
  editionName: z.string(),
  product: z.string(),
  /** slmgr-like description, e.g. "vact Enterprise, VOLUME_MAK channel". */
  description: z.string(),
  channel: ActivationChannelSchema.nullable(),
  keyType: KeyTypeSchema.nullable(),
  keyGroup: z.string().nullable(),
  partialKey: z.string().nullable(),
  cmid: z.string(),
  hardwareHash: z.string(),
  graceEndsAt: IsoOrNull,
  validUntil: IsoOrNull,
  lastActivatedAt: IsoOrNull,
  /** Milliseconds until the current deadline (grace end or validity end); null when none. */
  remainingMs: z.number().nullable(),
  remainingRearms: z.number().int().nonnegative(),
  lastError: LastErrorSchema.nullable(),
  nextAttemptAt: IsoOrNull,
  intervals: IntervalsSchema,
  /** The agent's clock now, and the highest time it has ever trusted (clock rollback guard). */
  now: IsoTimeSchema,
  trustedTime: IsoTimeSchema,
  clock: ClockKindSchema,
  /** A different key was installed on a Licensed machine: Licensed by `from` until the new key's channel answers. */
  switching: z.object({ from: ActivationChannelSchema, since: IsoTimeSchema }).nullable().optional(),
  /** KMS clients: the KMS lines of slmgr /dlv (host, how found, count, intervals, validity end). */
  kms: StatusKmsSchema.optional(),
  /** Present when verbose was asked for. */
  details: z
    .object({
      agentVersion: z.string(),
      failures: z.number().int().nonnegative(),
      lastReminderAt: IsoOrNull,
      kmsHost: z.string().nullable(),
      authorityUrl: z.string().nullable(),
      hardwareSource: z.string(),
      /** The catalogue the agent runs on: name, format version and the digest of what activations depend on. */
      catalogue: z.object({ name: z.string(), version: z.number().int(), digest: z.string() }),
    })
    .partial()
    .optional(),
});
export type StatusResult = z.infer<typeof StatusResultSchema>;

export const ExpiryParamsSchema = z.strictObject({});
/** slmgr /xpr: when the current license state ends. */
export const ExpiryResultSchema = z.object({
  status: LicenseStatusSchema,
  statusCode: z.number().int(),
  /** permanent: MAK/offline activated; validity: KMS activation; grace: a grace period; none: Unlicensed or Notification. */
  kind: z.enum(['permanent', 'validity', 'grace', 'none']),
  expiresAt: IsoOrNull,
  remainingMs: z.number().nullable(),
});
export type ExpiryResult = z.infer<typeof ExpiryResultSchema>;

// ---- activation and keys -----------------------------------------------------------------

const Empty = z.strictObject({});
export const ActivateParamsSchema = Empty;
export const ActivateResultSchema = StatusResultSchema;

export const KeyInstallParamsSchema = z.strictObject({
  key: z.string().min(1).max(64),
  /** false: only install (a MAK is otherwise activated at once). */
  activate: z.boolean().optional(),
});
export const KeyInstallResultSchema = z.object({
  key: z.object({ type: KeyTypeSchema, group: z.string(), partialKey: z.string() }),
  /** A MAK is activated at once; a failed attempt does not undo the install. */
  activation: z.object({ attempted: z.boolean(), succeeded: z.boolean(), error: ErrorDataSchema.nullable() }),
  status: StatusResultSchema,
});
export type KeyInstallResult = z.infer<typeof KeyInstallResultSchema>;

export const KeyUninstallParamsSchema = Empty;
export const KeyUninstallResultSchema = StatusResultSchema;

export const RearmParamsSchema = Empty;
export const RearmResultSchema = StatusResultSchema;

// ---- offline -------------------------------------------------------------------------------

export const OfflineIidParamsSchema = Empty;
export const OfflineIidResultSchema = z.object({
  installationId: z.string(),
  edition: z.string(),
  partialKey: z.string(),
  /** This agent's catalogue digest, for the authority to check along with the IID (`vact authority proxy-activate`). */
  catalogueDigest: CatalogueDigestSchema.optional(),
});
export type OfflineIidResult = z.infer<typeof OfflineIidResultSchema>;

export const OfflineConfirmParamsSchema = z.strictObject({ confirmationId: z.string().min(1).max(4096) });
export const OfflineConfirmResultSchema = StatusResultSchema;

// ---- events --------------------------------------------------------------------------------

export const EventsQueryParamsSchema = z.strictObject({
  /** Only events at or after this time. */
  since: IsoTimeSchema.optional(),
  /** Only events within this many ms before the agent's now (relative to the agent's clock, so it works with --clock sim). */
  withinMs: z.number().int().nonnegative().optional(),
  /** Only these event ids. */
  eventIds: z.array(z.number().int().nonnegative()).max(100).optional(),
  /** Most recent N events (default 100, at most 1000), oldest first. */
  limit: z.number().int().min(1).max(1000).optional(),
  /** Only events of this level or above (warning: warnings and errors). */
  level: z.enum(['info', 'warning', 'error']).optional(),
});
export type EventsQueryParams = z.infer<typeof EventsQueryParamsSchema>;
export const EventsQueryResultSchema = z.object({ events: z.array(AgentEventSchema) });
export type EventsQueryResult = z.infer<typeof EventsQueryResultSchema>;

// ---- hardware ------------------------------------------------------------------------------

export const HardwareRescanParamsSchema = Empty;
export const HardwareRescanResultSchema = z.object({
  hardwareHash: z.string(),
  previousHardwareHash: z.string(),
  withinTolerance: z.boolean(),
  changedComponents: z.array(z.string()),
  status: StatusResultSchema,
});
export type HardwareRescanResult = z.infer<typeof HardwareRescanResultSchema>;

// ---- clock ---------------------------------------------------------------------------------

export const ClockNowParamsSchema = Empty;
export const ClockResultSchema = z.object({ now: IsoTimeSchema, trustedTime: IsoTimeSchema, clock: ClockKindSchema });
export type ClockResult = z.infer<typeof ClockResultSchema>;
/** Moves a simulated clock forward; refused with SIM_CLOCK_ONLY on a system clock. At most 10 years at once. */
export const ClockAdvanceParamsSchema = z.strictObject({ ms: z.number().int().positive().max(10 * 366 * 86_400_000) });

// ---- subscriptions and notifications -------------------------------------------------------

export const NotificationTopicSchema = z.enum(['state', 'reminder', 'event']);
export type NotificationTopic = z.infer<typeof NotificationTopicSchema>;
export const SubscribeParamsSchema = z.strictObject({ topics: z.array(NotificationTopicSchema).max(3).optional() });
export const SubscribeResultSchema = z.object({ topics: z.array(NotificationTopicSchema) });

/** Notification method names, and the topic each belongs to. */
export const NotificationMethods = {
  stateChanged: 'license.stateChanged',
  reminder: 'license.reminder',
  eventLogged: 'event.logged',
} as const;

export const StateChangedPayloadSchema = z.object({
  previous: LicenseStatusSchema,
  status: StatusResultSchema,
  reason: z.string(),
});
export const ReminderPayloadSchema = z.object({
  status: LicenseStatusSchema,
  statusCode: z.number().int(),
  /** The deadline the reminder counts down to, and what remains of it. */
  deadline: IsoOrNull,
  remainingMs: z.number(),
  message: z.string(),
  at: IsoTimeSchema,
});
export const EventLoggedPayloadSchema = z.object({ event: AgentEventSchema });

/** A notification as the daemon emits it; the server fans it out to subscribers of its topic. */
export type ControlNotification =
  | { method: typeof NotificationMethods.stateChanged; params: z.infer<typeof StateChangedPayloadSchema> }
  | { method: typeof NotificationMethods.reminder; params: z.infer<typeof ReminderPayloadSchema> }
  | { method: typeof NotificationMethods.eventLogged; params: z.infer<typeof EventLoggedPayloadSchema> };

/** Schema and topic per notification method. */
export const ControlNotifications = {
  [NotificationMethods.stateChanged]: { topic: 'state', params: StateChangedPayloadSchema },
  [NotificationMethods.reminder]: { topic: 'reminder', params: ReminderPayloadSchema },
  [NotificationMethods.eventLogged]: { topic: 'event', params: EventLoggedPayloadSchema },
} as const satisfies Record<string, { topic: NotificationTopic; params: z.ZodType }>;

// ---- the method table ----------------------------------------------------------------------

/**
 * Every RPC method: its params/result schemas, the role it needs, and the AgentService method
 * that serves it (null: served by the control server itself).
 */
export const ControlMethods = {
  handshake: { params: HandshakeParamsSchema, result: HandshakeResultSchema, role: 'user', service: 'handshake' },
  status: { params: StatusParamsSchema, result: StatusResultSchema, role: 'user', service: 'status' },
  expiry: { params: ExpiryParamsSchema, result: ExpiryResultSchema, role: 'user', service: 'expiry' },
  activate: { params: ActivateParamsSchema, result: ActivateResultSchema, role: 'user', service: 'activate' },
  'key.install': { params: KeyInstallParamsSchema, result: KeyInstallResultSchema, role: 'admin', service: 'keyInstall' },
  'key.uninstall': { params: KeyUninstallParamsSchema, result: KeyUninstallResultSchema, role: 'admin', service: 'keyUninstall' },
  rearm: { params: RearmParamsSchema, result: RearmResultSchema, role: 'admin', service: 'rearm' },
  'offline.iid': { params: OfflineIidParamsSchema, result: OfflineIidResultSchema, role: 'user', service: 'offlineIid' },
  'offline.confirm': { params: OfflineConfirmParamsSchema, result: OfflineConfirmResultSchema, role: 'admin', service: 'offlineConfirm' },
  'events.query': { params: EventsQueryParamsSchema, result: EventsQueryResultSchema, role: 'user', service: 'eventsQuery' },
  'hardware.rescan': { params: HardwareRescanParamsSchema, result: HardwareRescanResultSchema, role: 'admin', service: 'hardwareRescan' },
  'clock.now': { params: ClockNowParamsSchema, result: ClockResultSchema, role: 'user', service: 'clockNow' },
  'clock.advance': { params: ClockAdvanceParamsSchema, result: ClockResultSchema, role: 'admin', service: 'clockAdvance' },
  'kms.set': { params: KmsSetParamsSchema, result: KmsShowResultSchema, role: 'admin', service: 'kmsSet' },
  'kms.clear': { params: KmsClearParamsSchema, result: KmsShowResultSchema, role: 'admin', service: 'kmsClear' },
  'kms.intervals': { params: KmsIntervalsParamsSchema, result: KmsShowResultSchema, role: 'admin', service: 'kmsIntervals' },
  'kms.port': { params: KmsPortParamsSchema, result: KmsShowResultSchema, role: 'admin', service: 'kmsPort' },
  'kms.domain.add': { params: KmsDomainParamsSchema, result: KmsDomainListResultSchema, role: 'admin', service: 'kmsDomainAdd' },
  'kms.domain.remove': { params: KmsDomainParamsSchema, result: KmsDomainListResultSchema, role: 'admin', service: 'kmsDomainRemove' },
  'kms.domain.list': { params: KmsDomainListParamsSchema, result: KmsDomainListResultSchema, role: 'user', service: 'kmsDomainList' },
  'kms.show': { params: KmsShowParamsSchema, result: KmsShowResultSchema, role: 'user', service: 'kmsShow' },
  'host.status': { params: HostStatusParamsSchema, result: HostStatusResultSchema, role: 'user', service: 'hostStatus' },
  'host.clients': { params: HostClientsParamsSchema, result: HostClientsResultSchema, role: 'user', service: 'hostClients' },
  subscribe: { params: SubscribeParamsSchema, result: SubscribeResultSchema, role: 'user', service: null },
  unsubscribe: { params: SubscribeParamsSchema, result: SubscribeResultSchema, role: 'user', service: null },
} as const;

export type ControlMethodName = keyof typeof ControlMethods;
/** Validated params of a method (what the AgentService receives). */
export type ControlParams<M extends ControlMethodName> = z.infer<(typeof ControlMethods)[M]['params']>;
/** Params as a client may send them (optional fields may be left out). */
export type ControlParamsInput<M extends ControlMethodName> = z.input<(typeof ControlMethods)[M]['params']>;
/** Result of a method. */
export type ControlResult<M extends ControlMethodName> = z.infer<(typeof ControlMethods)[M]['result']>;

/** True when `name` is a control API method. */
export function isControlMethod(name: string): name is ControlMethodName {
  return Object.prototype.hasOwnProperty.call(ControlMethods, name);
}

/** The role a method needs. */
export function requiredRole(method: ControlMethodName): ControlRole {
  return ControlMethods[method].role;
}

/** Whether a caller with `role` may call `method` (admin may call everything). */
export function roleAllows(role: ControlRole, method: ControlMethodName): boolean {
  return role === 'admin' || ControlMethods[method].role === 'user';
}

/**
 * What the daemon implements. Params arrive validated; results are validated before they are
 * sent. Throw VactError (with a catalogue code) to refuse: it becomes a JSON-RPC error carrying
 * {code, number, message, hint} in error.data. Role checks are done by the server before the call.
 */
export interface AgentService {
  /** Agent facts for the handshake (protocol, role and serverTime are added by the server). */
  handshake(params: ControlParams<'handshake'>, ctx: CallerContext): Promise<z.infer<typeof AgentInfoSchema>>;
  status(params: ControlParams<'status'>, ctx: CallerContext): Promise<StatusResult>;
  expiry(params: ControlParams<'expiry'>, ctx: CallerContext): Promise<ExpiryResult>;
  /** Activates now on the installed key's channel; throws the activation's VactError on failure. */
  activate(params: ControlParams<'activate'>, ctx: CallerContext): Promise<StatusResult>;
  keyInstall(params: ControlParams<'key.install'>, ctx: CallerContext): Promise<KeyInstallResult>;
  keyUninstall(params: ControlParams<'key.uninstall'>, ctx: CallerContext): Promise<StatusResult>;
  rearm(params: ControlParams<'rearm'>, ctx: CallerContext): Promise<StatusResult>;
  offlineIid(params: ControlParams<'offline.iid'>, ctx: CallerContext): Promise<OfflineIidResult>;
  offlineConfirm(params: ControlParams<'offline.confirm'>, ctx: CallerContext): Promise<StatusResult>;
  eventsQuery(params: ControlParams<'events.query'>, ctx: CallerContext): Promise<EventsQueryResult>;
  hardwareRescan(params: ControlParams<'hardware.rescan'>, ctx: CallerContext): Promise<HardwareRescanResult>;
  clockNow(params: ControlParams<'clock.now'>, ctx: CallerContext): Promise<ClockResult>;
  clockAdvance(params: ControlParams<'clock.advance'>, ctx: CallerContext): Promise<ClockResult>;
  kmsSet(params: ControlParams<'kms.set'>, ctx: CallerContext): Promise<KmsShowResult>;
  kmsClear(params: ControlParams<'kms.clear'>, ctx: CallerContext): Promise<KmsShowResult>;
  kmsIntervals(params: ControlParams<'kms.intervals'>, ctx: CallerContext): Promise<KmsShowResult>;
  kmsPort(params: ControlParams<'kms.port'>, ctx: CallerContext): Promise<KmsShowResult>;
  kmsDomainAdd(params: ControlParams<'kms.domain.add'>, ctx: CallerContext): Promise<KmsDomainListResult>;
  kmsDomainRemove(params: ControlParams<'kms.domain.remove'>, ctx: CallerContext): Promise<KmsDomainListResult>;
  kmsDomainList(params: ControlParams<'kms.domain.list'>, ctx: CallerContext): Promise<KmsDomainListResult>;
  kmsShow(params: ControlParams<'kms.show'>, ctx: CallerContext): Promise<KmsShowResult>;
  /** KMS hosts only; KEY_WRONG_TYPE on an agent without a KMS host key. */
  hostStatus(params: ControlParams<'host.status'>, ctx: CallerContext): Promise<HostStatusResult>;
  hostClients(params: ControlParams<'host.clients'>, ctx: CallerContext): Promise<HostClientsResult>;
  /** Registers the one listener the control server fans notifications out from. */
  onNotification(listener: (notification: ControlNotification) => void): { dispose(): void };
}

/** AgentService method names that serve RPC methods. */
export type AgentServiceMethod = Exclude<keyof AgentService, 'onNotification'>;

/** ms since epoch (or null) -> wire time. */
export function toWireTime(ms: number): string;
export function toWireTime(ms: number | null): string | null;
export function toWireTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Wire time (or null) -> ms since epoch. */
export function fromWireTime(iso: string): number;
export function fromWireTime(iso: string | null): number | null;
export function fromWireTime(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}
