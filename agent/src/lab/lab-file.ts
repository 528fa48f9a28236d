// The lab folder's two files: lab.json (what the lab is: keys issued, agents and their ports,
// kept between runs) and run.json (who is running it now: written when the lab is up, removed
// when it stops). Both are strict schemas: an unknown or bad field is named, nothing starts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { firstIssueField, LabRoleSchema, RUN_FILE, RunFileSchema, VactError, type RunFile } from '@vact/shared';
import { writeFileAtomic } from '../store/atomic-file';
import { processAlive } from '../store/stale-temp-files';

export const LAB_FILE = 'lab.json';
export { RUN_FILE };
const MAX_LAB_FILE_BYTES = 256 * 1024;

const Port = z.number().int().min(1).max(65535);

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
  makKey: z.string().optional(),
  kmsHostKey: z.string().optional(),
  agents: z.array(LabAgentSchema).max(64),
});
export type LabFile = z.infer<typeof LabFileSchema>;

/** What the landed lab wrote: a version and the MAK. */
const LabFileV1Schema = z.strictObject({ version: z.literal(1), makKey: z.string().optional() });

// run.json's schema is shared with the VS Code extension, which reads it too.
export { LabRoleSchema, RunFileSchema, type LabRole, type RunFile } from '@vact/shared';

function readJson(file: string): unknown {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new VactError('STATE_CORRUPT', `${file} is not a file`);
    if (st.size > MAX_LAB_FILE_BYTES) throw new VactError('STATE_CORRUPT', `${file} is larger than ${MAX_LAB_FILE_BYTES} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof VactError) throw err;
    throw new VactError('STATE_CORRUPT', `${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new VactError('STATE_CORRUPT', `${file} is not valid JSON (${(err as Error).message}); \`vact lab reset\` starts the lab afresh`);
  }
}

function parse<T>(schema: z.ZodType<T>, doc: unknown, file: string): T {
  const r = schema.safeParse(doc);
  if (!r.success) {
    const { field, message } = firstIssueField(r.error);
    throw new VactError('STATE_CORRUPT', `${file}: ${field}: ${message}; \`vact lab reset\` starts the lab afresh`, { file, field });
  }
  return r.data;
}

/** Reads lab.json (undefined when the lab was never started); a v1 file becomes v2 with its MAK kept. */
export function readLabFile(dir: string): LabFile | { version: 1; makKey?: string } | undefined {
  const file = path.join(dir, LAB_FILE);
  if (!fs.existsSync(file)) return undefined;
  const doc = readJson(file);
  if (typeof doc === 'object' && doc !== null && (doc as { version?: unknown }).version === 1) return parse(LabFileV1Schema, doc, file);
  return parse(LabFileSchema, doc, file);
}

/** Writes lab.json atomically (0600: it holds the lab's keys). */
export function writeLabFile(dir: string, lab: LabFile): void {
  writeFileAtomic(path.join(dir, LAB_FILE), `${JSON.stringify(LabFileSchema.parse(lab), null, 2)}\n`, 0o600);
}

/** Reads run.json, or undefined when no lab process wrote one. */
export function readRunFile(dir: string): RunFile | undefined {
  const file = path.join(dir, RUN_FILE);
  if (!fs.existsSync(file)) return undefined;
  return parse(RunFileSchema, readJson(file), file);
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
