// The agent's one versioned state file: load (with migrations and validation) and atomic save.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { VactError, HARDWARE_COMPONENTS, LifecycleStateSchema, firstIssueField, type LifecycleState, type ComponentHashes } from '@vact/shared/licensing';
import { type SealedKey } from '@vact/shared/offline';
import { writeFileAtomic } from './atomic-file';

/** Current layout version written by this agent. */
export const STATE_VERSION = 3;
export const STATE_FILE_NAME = 'state.json';
const MAX_STATE_BYTES = 1024 * 1024;

/** The hardware identity recorded at first start or activation; replaced only when out of tolerance. */
export interface HardwareIdentity {
  hardwareHash: string;
  components: ComponentHashes;
  recordedAt: number;
}

/** Everything the agent persists. */
export interface AgentState {
  version: typeof STATE_VERSION;
  createdAt: number;
  /** Incremented on every save, so tests and operators can order states. */
  revision: number;
  cmid: string;
  edition: string;
  hardware: HardwareIdentity;
  lifecycle: LifecycleState;
  /** The verified activation ticket (ticketToText), or null. */
  ticket: string | null;
  /**
   * The installed MAK sealed to the authority (docs/protocol.md, "Sealed key"), or null for other
   * keys. Once the MAK has activated the machine this is all the agent keeps of it besides the
   * partial key: installation IDs and reactivations are made from it.
   */
  keySeal: SealedKey | null;
  /** Where a simulated clock stood at the last save, so a restarted sim agent resumes there. */
  clock: { simNow: number | null };
  /** KMS settings changed at run time (`vact kms set|clear|port|domain`); absent until the first change. */
  kms?: KmsRuntimeSettings;
}

/** What `vact kms …` persists; null fields fall back to the agent's flags. */
export interface KmsRuntimeSettings {
  /** `vact kms set HOST[:PORT]` (slmgr /skms); null after `vact kms clear`. */
  staticHost: { host: string; port: number } | null;
  /** `vact kms domain add|remove`; null: the --kms-domain flags. */
  domains: string[] | null;
  /** `vact kms port N` (slmgr /sprt): the KMS host's listening port; null: --kms-listen's. */
  port: number | null;
  /** The KMS host that answered last (renewals go there until it fails), and how it was found. */
  lastHost?: { host: string; port: number; address?: string; source: 'static' | 'dns' | 'cache' } | null;
}

type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/** Migrations from version N to N+1, keyed by N. */
export const STATE_MIGRATIONS: Readonly<Record<number, Migration>> = {
  // v1 had no clock section: sim agents restarted at the real time.
  1: (old) => ({ ...old, version: 2, clock: { simNow: null } }),
  // v2 kept every key in clear and had no seal: the agent seals an installed MAK (and drops it
  // once activated) in the first commit after the start.
  2: (old) => ({ ...old, version: 3, keySeal: null }),
};

/** Applies migrations until `version` is reached; refuses versions it does not know. */
export function migrateState(raw: Record<string, unknown>, file: string, migrations = STATE_MIGRATIONS, target = STATE_VERSION): Record<string, unknown> {
  let doc = raw;
  for (;;) {
    const v = doc['version'];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new VactError('STATE_CORRUPT', `${file}: "version" is missing or not an integer`, { file });
    if (v === target) return doc;
    const m = migrations[v];
    if (v > target || !m) {
      throw new VactError('STATE_VERSION_UNSUPPORTED', `${file} has version ${v}; this agent reads versions 1 to ${target}`, { file, version: v });
    }
    doc = m(doc);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX128 = /^[0-9a-f]{32}$/;
const hexOf = (chars: number) => z.string().regex(new RegExp(`^[0-9a-f]{${chars}}$`), `must be ${chars} lower-case hex chars`);

/** state.json, strict: an unknown or mistyped field is refused by name. */
const AgentStateSchema = z.strictObject({
  version: z.literal(STATE_VERSION),
  createdAt: z.number().finite(),
  revision: z.number().int().nonnegative(),
  cmid: z.string().regex(HEX128, 'must be 32 lower-case hex chars'),
  edition: z.string(),
  hardware: z.strictObject({
    hardwareHash: z.string(),
    components: z.partialRecord(z.enum(HARDWARE_COMPONENTS), z.string()),
    recordedAt: z.number().finite(),
  }),
  lifecycle: LifecycleStateSchema,
  ticket: z.string().nullable(),
  keySeal: z.strictObject({
    authorityKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be base64 of a 32-byte key'),
    ephemeralPublicKey: hexOf(64),
    ciphertext: hexOf(16),
    bindKey: hexOf(64),
  }).nullable(),
  clock: z.strictObject({ simNow: z.number().finite().nullable() }),
  kms: z.strictObject({
    staticHost: z.strictObject({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) }).nullable(),
    domains: z.array(z.string().min(1).max(253)).max(32).nullable(),
    port: z.number().int().min(1).max(65535).nullable(),
    lastHost: z.strictObject({
      host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535), address: z.string().max(64).optional(), source: z.enum(['static', 'dns', 'cache']),
    }).nullable().optional(),
  }).optional(),
}).superRefine((s, ctx) => {
  // A key kept only sealed must have its seal; a seal belongs to a MAK.
  const key = s.lifecycle.key;
  if (key?.key === null && (key.type !== 'mak' || s.keySeal === null)) {
    ctx.addIssue({ code: 'custom', path: ['lifecycle', 'key', 'key'], message: key.type === 'mak' ? 'is null but there is no keySeal' : `is null, which only a MAK may be` });
  }
  if (s.keySeal !== null && key?.type !== 'mak') ctx.addIssue({ code: 'custom', path: ['keySeal'], message: 'is set but the installed key is not a MAK' });
});

/** Schema check of a migrated document; names the first bad field. */
export function validateState(doc: Record<string, unknown>, file: string): AgentState {
  const r = AgentStateSchema.safeParse(doc);
  if (!r.success) {
    const { field, message } = firstIssueField(r.error);
    throw new VactError('STATE_CORRUPT', `${file}: field "${field}" is missing or invalid (${message})`, { file, field });
  }
  return r.data;
}

/** Owns D/state.json: reads it once at start and replaces it atomically on every change. */
export class StateFile {
  readonly file: string;
  constructor(readonly dir: string, name = STATE_FILE_NAME) {
    this.file = path.join(dir, name);
  }

  /** The stored state, or null when none exists yet; throws STATE_CORRUPT / STATE_VERSION_UNSUPPORTED and never touches the file. */
  load(): AgentState | null {
    let text: string;
    try {
      const st = fs.statSync(this.file);
      if (st.isDirectory()) throw new VactError('STATE_CORRUPT', `${this.file} is a directory, not the agent's state file`, { file: this.file });
      if (st.size > MAX_STATE_BYTES) throw new VactError('STATE_CORRUPT', `${this.file} is larger than ${MAX_STATE_BYTES} bytes`, { file: this.file });
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if (err instanceof VactError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      throw new VactError('STATE_CORRUPT', code === 'EISDIR' ? `${this.file} is a directory, not the agent's state file` : `${this.file} cannot be read (${code ?? (err as Error).message})`, { file: this.file });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new VactError('STATE_CORRUPT', `${this.file} is not valid JSON (${(err as Error).message})`, { file: this.file });
    }
    if (!isObj(raw)) throw new VactError('STATE_CORRUPT', `${this.file} does not hold a JSON object`, { file: this.file });
    return validateState(migrateState(raw, this.file), this.file);
  }

  /** Persists `state` durably (returns only after fsync of file and directory). */
  save(state: AgentState): void {
    writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  }
}
