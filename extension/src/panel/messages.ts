// The messages between the extension and its webviews: zod schemas, validated on receipt.
import { z } from 'zod';

export const PanelActionSchema = z.enum(['activate', 'installKey', 'switchChannel', 'rearm', 'showInstallationId', 'enterConfirmationId', 'refresh']);
export type PanelAction = z.infer<typeof PanelActionSchema>;

/** Webview -> extension. */
export const FromWebviewSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('action'), action: PanelActionSchema, agentId: z.string().max(100).optional() }),
  z.strictObject({ type: z.literal('open'), agentId: z.string().max(100) }),
]);
export type FromWebview = z.infer<typeof FromWebviewSchema>;

const Fact = z.object({ label: z.string(), value: z.string() });

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
  kms: z.object({ host: z.string(), discovery: z.string(), next: z.string().nullable(), intervals: z.string() }).nullable(),
  host: z.object({ keyGroup: z.string() }).nullable(),
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
