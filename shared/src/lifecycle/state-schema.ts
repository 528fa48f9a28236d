// The persisted lifecycle state as a strict schema: the agent's state file is validated with it
// on load (unknown fields refused, the bad field named), so the file format and the type agree.
import { z } from 'zod';
import { ActivationChannelSchema, IntervalsSchema, KeyTypeSchema, LicenseStatusSchema } from './license-schemas';

const time = z.number().finite();
const timeOrNull = time.nullable();

/** An installed product key (the lifecycle's view). */
export const InstalledKeySchema = z.strictObject({ key: z.string().nullable(), type: KeyTypeSchema, group: z.string(), partialKey: z.string() });

/** A LifecycleState as it is persisted; the optional fields were added after the first format. */
export const LifecycleStateSchema = z.strictObject({
  edition: z.string(),
  key: InstalledKeySchema.nullable(),
  status: LicenseStatusSchema,
  graceEndsAt: timeOrNull,
  channel: ActivationChannelSchema.nullable(),
  validUntil: timeOrNull,
  lastActivatedAt: timeOrNull,
  remainingRearms: z.number().int(),
  intervals: z.strictObject(IntervalsSchema.shape),
  nextAttemptAt: timeOrNull,
  failures: z.number().int().nonnegative(),
  lastError: z.strictObject({ code: z.string(), message: z.string(), at: time }).nullable(),
  lastReminderAt: timeOrNull,
  trustedNow: time,
  graceStartedAt: timeOrNull.optional(),
  notificationSince: timeOrNull.optional(),
  suspendedGrace: z.strictObject({ status: z.enum(['InitialGrace', 'OutOfToleranceGrace', 'Notification']), startedAt: timeOrNull, endsAt: timeOrNull }).nullable().optional(),
  kmsCount: z.number().int().nonnegative().nullable().optional(),
  lastAttemptAt: timeOrNull.optional(),
  adminIntervals: z.strictObject({ activationMinutes: z.number().int(), renewalMinutes: z.number().int() }).nullable().optional(),
  rollbackLogged: z.boolean().optional(),
  switching: z.strictObject({ from: ActivationChannelSchema, since: time }).nullable().optional(),
});

/** The first problem of a failed parse as `field.path: message` (for errors that name the field). */
export function firstIssueField(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const pathParts = issue?.path ?? [];
  let field = pathParts.map(String).join('.');
  // An unknown key is reported on its parent: name the key itself.
  if (issue?.code === 'unrecognized_keys') field = [...pathParts.map(String), issue.keys[0]].filter((p) => p !== '').join('.');
  return { field: field || '(root)', message: issue?.message ?? 'invalid' };
}
