// run.json of a `vact lab` folder: who runs the lab now and its agents (name, role, edition,
// control URL, state dir). Written by the lab, read by `vact lab status` and the VS Code extension.
import { z } from 'zod';

export const RUN_FILE = 'run.json';

export const LabRoleSchema = z.enum(['kms-host', 'kms-client', 'mak']);
export type LabRole = z.infer<typeof LabRoleSchema>;

export const RunFileSchema = z.strictObject({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  clock: z.enum(['sim', 'system']),
  authority: z.strictObject({ url: z.string(), dir: z.string(), publicKey: z.string() }),
  /** How KMS clients find the host: a static setting, or SRV records on the lab's DNS server. */
  discovery: z.strictObject({ kind: z.enum(['static', 'dns']), detail: z.string() }),
  agents: z.array(z.strictObject({ name: z.string(), role: LabRoleSchema, edition: z.string(), control: z.string(), stateDir: z.string() })),
});
export type RunFile = z.infer<typeof RunFileSchema>;
