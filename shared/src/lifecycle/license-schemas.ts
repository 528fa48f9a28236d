// The license vocabulary, written once: license status, key type, activation channel and
// intervals as zod schemas. Every type of these names elsewhere is z.infer of one of them, and
// the control API, the state file and the lifecycle all validate with these very schemas.
import { z } from 'zod';

/** License status names as shown to users (DESIGN §3, §4). */
export const LicenseStatusSchema = z.enum(['Unlicensed', 'Licensed', 'InitialGrace', 'OutOfToleranceGrace', 'Notification']);
export type LicenseStatus = z.infer<typeof LicenseStatusSchema>;

/** Product key types (DESIGN §5). */
export const KeyTypeSchema = z.enum(['kms-client', 'kms-host', 'mak']);
export type KeyType = z.infer<typeof KeyTypeSchema>;

/** How a machine was activated; `KMS-host` is a KMS host's own activation by the authority (a host certificate). */
export const ActivationChannelSchema = z.enum(['KMS', 'MAK', 'offline', 'KMS-host']);
export type ActivationChannel = z.infer<typeof ActivationChannelSchema>;

/** Activation (retry) and renewal intervals in minutes, and who set them. */
export const IntervalsSchema = z.object({
  activationMinutes: z.number().int().nonnegative(),
  renewalMinutes: z.number().int().nonnegative(),
  source: z.enum(['default', 'host', 'admin']),
});
export type Intervals = z.infer<typeof IntervalsSchema>;
