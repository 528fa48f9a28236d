// The messages between the extension and its webviews: zod schemas, validated on receipt.
import { z } from 'zod';

export const PanelActionSchema = z.enum(['activate', 'installKey', 'switchChannel', 'rearm', 'showInstallationId', 'enterConfirmationId', 'refresh', 'kmsSetHost', 'kmsClearHost', 'kmsIntervals']);
export type PanelAction = z.infer<typeof PanelActionSchema>;

/** Webview -> extension. */
export const FromWebviewSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('action'), action: PanelActionSchema, agentId: z.string().max(100).optional() }),
  z.strictObject({ type: z.literal('open'), agentId: z.string().max(100) }),
]);
export type FromWebview = z.infer<typeof FromWebviewSchema>;

const Fact = z.object({ label: z.string(), value: z.string() });

/** The KMS client section: host and how it is found, the last count against the threshold, next contact, intervals. */
export const PanelKmsSchema = z.object({
  host: z.string(),
  foundBy: z.string(),
  setting: z.string(),
  static: z.boolean(),
  count: z.number().nullable(),
  threshold: z.number().nullable(),
  countLabel: z.string(),
  next: z.string().nullable(),
  nextKind: z.enum(['renewal', 'retry']).nullable(),
  intervals: z.string(),
  validUntil: z.string().nullable(),
});
export type PanelKms = z.infer<typeof PanelKmsSchema>;

export const PanelHostClientSchema = z.object({
  cmid: z.string(),
  machineName: z.string(),
  edition: z.string(),
  status: z.string(),
  source: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  requests: z.number(),
  vm: z.boolean(),
  duplicate: z.boolean(),
  /** The other machine names seen with this CMID. */
  duplicateOf: z.string(),
});

/** The KMS host section (ready: host.status and host.clients have been read). */
export const PanelHostSchema = z.object({
  ready: z.boolean(),
  keyGroup: z.string(),
  activated: z.boolean(),
  count: z.number(),
  cacheSize: z.number(),
  highestThreshold: z.number(),
  countLabel: z.string(),
  thresholds: z.string(),
  listening: z.string(),
  dns: z.string(),
  certificate: z.string(),
  requests: z.string(),
  clients: z.array(PanelHostClientSchema).max(10_000),
});
export type PanelHost = z.infer<typeof PanelHostSchema>;

export const PanelStateSchema = z.object({
  name: z.string(),
  url: z.string(),
  connection: z.enum(['connecting', 'online', 'offline']),
  role: z.enum(['user', 'admin']).nullable(),
  label: z.string(),
  tone: z.enum(['ok', 'warn', 'error', 'muted']),
  line: z.string(),
  error: z.string().nullable(),
  facts: z.array(Fact),
  countdown: z.object({ fraction: z.number(), label: z.string() }).nullable(),
  kms: PanelKmsSchema.nullable(),
  host: PanelHostSchema.nullable(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  events: z.array(z.object({ time: z.string(), level: z.string(), eventId: z.number(), message: z.string() })),
  admin: z.boolean(),
  channel: z.string().nullable(),
});
export type PanelState = z.infer<typeof PanelStateSchema>;

export const DashboardRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  label: z.string(),
  tone: z.enum(['ok', 'warn', 'error', 'muted']),
  channel: z.string(),
  daysLeft: z.number().nullable(),
  lastError: z.string(),
});
export type DashboardRow = z.infer<typeof DashboardRowSchema>;

/** Extension -> webview. */
export const ToWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('state'), state: PanelStateSchema }),
  z.object({ type: z.literal('fleet'), rows: z.array(DashboardRowSchema) }),
  z.object({ type: z.literal('busy'), action: z.string().nullable(), message: z.string().nullable() }),
]);
export type ToWebview = z.infer<typeof ToWebviewSchema>;
