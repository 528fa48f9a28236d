// The KMS host's persisted count and client register (STATE_DIR/kms-host.json) as one strict
// schema: an unknown or mistyped field is refused by name, so the file format and the types agree.
import { z } from 'zod';
import { LicenseStatusSchema } from '../lifecycle/license-schemas';
import { firstIssueField } from '../lifecycle/state-schema';
import { VactError } from '../errors/error-codes';
import { parseHostCount, HOST_COUNT_VERSION } from './host-count';
import type { KmsClientRecord } from './client-register';
import type { KmsHostState } from './host-handler';

/** Layout version of kms-host.json. */
export const KMS_HOST_FILE_VERSION = 1;

const time = z.number().finite();
const text = z.string().max(256);

const CountSchema = z.strictObject({
  version: z.literal(HOST_COUNT_VERSION),
  capacity: z.number().int().nonnegative(),
  highestThreshold: z.number().int().nonnegative(),
  entries: z.array(z.strictObject({ cmid: text, kind: z.enum(['client', 'server']), edition: text.optional(), at: time })).max(100_000),
});

const ClientSchema = z.strictObject({
  cmid: text,
  machineName: text,
  hardwareHash: text,
  edition: text,
  licenseStatus: LicenseStatusSchema,
  vm: z.boolean(),
  sourceAddress: text,
  firstSeen: time,
  lastSeen: time,
  requests: z.number().int().nonnegative(),
  duplicates: z.array(z.strictObject({ machineName: text, hardwareHash: text, at: time })).max(64),
});

/** kms-host.json, strict. */
export const KmsHostFileSchema = z.strictObject({
  version: z.literal(KMS_HOST_FILE_VERSION),
  count: CountSchema,
  clients: z.array(ClientSchema).max(100_000),
});

/** The document to write for a host state. */
export function kmsHostFileOf(state: KmsHostState): z.infer<typeof KmsHostFileSchema> {
  return { version: KMS_HOST_FILE_VERSION, count: state.count.toJSON(), clients: [...state.clients.values()] };
}

/** Validates a parsed kms-host.json; throws STATE_CORRUPT naming the field (STATE_VERSION_UNSUPPORTED for another version). */
export function parseKmsHostFile(json: unknown, where: string): KmsHostState {
  const version = (json as { version?: unknown } | null)?.version;
  if (json && typeof json === 'object' && version !== KMS_HOST_FILE_VERSION) {
    throw new VactError('STATE_VERSION_UNSUPPORTED', `${where}: version ${String(version)}; this agent reads version ${KMS_HOST_FILE_VERSION}`, { file: where });
  }
  const r = KmsHostFileSchema.safeParse(json);
  if (!r.success) {
    const { field, message } = firstIssueField(r.error);
    throw new VactError('STATE_CORRUPT', `${where}: field "${field}" is missing or invalid (${message})`, { file: where, field });
  }
  const count = parseHostCount(r.data.count);
  const live = new Set(count.entries.map((e) => e.cmid));
  const clients = new Map<string, KmsClientRecord>();
  for (const c of r.data.clients) if (live.has(c.cmid)) clients.set(c.cmid, c);
  return { count, clients };
}
