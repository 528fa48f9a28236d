// The lab folder's two files: lab.json (what the lab is: keys issued, agents and their ports,
// kept between runs) and run.json (who is running it now: written when the lab is up, removed
// when it stops). Both are strict schemas read by the one strict reader: an unknown key or a bad
// value is refused with the file and the field named (exit 2), before anything starts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { decodeProductKey, LabRoleSchema, referenceCatalogue, RUN_FILE, RunFileSchema, type KeyType, type RunFile } from '@vact/shared';
import { readStrictJsonFile } from '../config/strict-json-file';
import { writeFileAtomic } from '../store/atomic-file';
import { processAlive } from '../store/stale-temp-files';

export const LAB_FILE = 'lab.json';
export { RUN_FILE };
const MAX_LAB_FILE_BYTES = 256 * 1024;

const Port = z.number().int().min(1).max(65535);

/** A well-formed product key of the reference catalogue, of this type. */
function keyOf(type: KeyType, what: string): z.ZodString {
  return z.string({ error: 'expected a string' }).refine((text) => {
    try {
      return decodeProductKey(text, referenceCatalogue()).type === type;
    } catch {
      return false;
    }
  }, `expected ${what} (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)`);
}

export const LabAgentSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]{1,32}$/),
  role: LabRoleSchema,
  edition: z.string().min(1),
  /** The control API port, kept between runs so saved URLs (VS Code) keep working. */
  controlPort: Port,
  /** The KMS host's listener port (kms-host only). */
  kmsPort: Port.optional(),
});
export type LabAgent = z.infer<typeof LabAgentSchema>;

export const LabFileSchema = z.strictObject({
  version: z.literal(2),
  clock: z.enum(['sim', 'system']),
  authorityPort: Port,
  makKey: keyOf('mak', 'a MAK').optional(),
  kmsHostKey: keyOf('kms-host', 'a KMS host key').optional(),
  agents: z.array(LabAgentSchema).max(64),
});
export type LabFile = z.infer<typeof LabFileSchema>;

/** What the landed lab wrote: a version and the MAK. */
const LabFileV1Schema = z.strictObject({ version: z.literal(1), makKey: keyOf('mak', 'a MAK').optional() });

// run.json's schema is shared with the VS Code extension, which reads it too.
export { LabRoleSchema, RunFileSchema, type LabRole, type RunFile } from '@vact/shared';

/** Reads lab.json (undefined when the lab was never started); a v1 file (the MAK only) is read as such. */
export function readLabFile(dir: string): LabFile | { version: 1; makKey?: string } | undefined {
  const file = path.join(dir, LAB_FILE);
  if (!fs.existsSync(file)) return undefined;
  const label = { kind: 'lab file', file };
  // Read once as "either version", then again with the version's own schema for a precise error.
  const doc = readStrictJsonFile(label, z.looseObject({ version: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 or 2' }) }), ['version'], MAX_LAB_FILE_BYTES);
  const schema = doc.version === 1 ? LabFileV1Schema : LabFileSchema;
  return readStrictJsonFile(label, schema, Object.keys(schema.shape), MAX_LAB_FILE_BYTES);
}

/** Writes lab.json atomically (0600: it holds the lab's keys). */
export function writeLabFile(dir: string, lab: LabFile): void {
  writeFileAtomic(path.join(dir, LAB_FILE), `${JSON.stringify(LabFileSchema.parse(lab), null, 2)}\n`, 0o600);
}

/** Reads run.json, or undefined when no lab process wrote one. */
export function readRunFile(dir: string): RunFile | undefined {
  const file = path.join(dir, RUN_FILE);
  if (!fs.existsSync(file)) return undefined;
  return readStrictJsonFile({ kind: 'lab run file', file }, RunFileSchema, Object.keys(RunFileSchema.shape), MAX_LAB_FILE_BYTES);
}

export function writeRunFile(dir: string, run: RunFile): void {
  writeFileAtomic(path.join(dir, RUN_FILE), `${JSON.stringify(RunFileSchema.parse(run), null, 2)}\n`, 0o600);
}

export function removeRunFile(dir: string, pid = process.pid): void {
  const run = (() => { try { return readRunFile(dir); } catch { return undefined; } })();
  if (run && run.pid !== pid) return; // another lab process owns it
  fs.rmSync(path.join(dir, RUN_FILE), { force: true });
}

/** The running lab's run.json, or undefined when none runs (a stale file from a killed lab is ignored). */
export function runningLab(dir: string): RunFile | undefined {
  const run = readRunFile(dir);
  return run && processAlive(run.pid) ? run : undefined;
}
