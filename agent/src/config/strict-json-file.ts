// The agent's small persisted JSON files (the agent config file, the lab's lab.json) are read in
// one way: bounded in size, parsed, and validated by a strict zod schema, so an unknown key or a
// bad value is refused before anything starts, with the file and the field named.
import * as fs from 'node:fs';
import type { z } from 'zod';
import { VactError } from '@vact/shared/licensing';

/** How a file is named in errors, e.g. `config /etc/vact/agent.json`. */
export interface FileLabel { kind: string; file: string }

function refuse(label: FileLabel, field: string | null, detail: string): VactError {
  const where = `${label.kind} ${label.file}`;
  return new VactError('INVALID_CONFIG', field ? `${where}: ${field}: ${detail}` : `${where}: ${detail}`, { file: label.file, setting: field ?? label.kind });
}

/** The first issue of a failed parse as (field, reason); an unknown key is named itself. */
function firstProblem(error: z.ZodError, knownKeys: readonly string[]): { field: string | null; detail: string } {
  const issue = error.issues[0];
  const at = (issue?.path ?? []).map(String);
  if (issue?.code === 'unrecognized_keys') {
    return { field: [...at, issue.keys[0]].join('.'), detail: `unknown key (known: ${knownKeys.join(', ')})` };
  }
  return { field: at.length > 0 ? at.join('.') : null, detail: issue?.message ?? 'invalid' };
}

/**
 * Reads `label.file` (at most `maxBytes`) as JSON and validates it with `schema`. Throws
 * INVALID_CONFIG "KIND FILE: FIELD: reason" (details: file, setting = the field) and never
 * changes the file. `knownKeys` are listed when a key is unknown.
 */
export function readStrictJsonFile<S extends z.ZodType>(label: FileLabel, schema: S, knownKeys: readonly string[], maxBytes: number): z.infer<S> {
  let text: string;
  try {
    const st = fs.statSync(label.file);
    if (!st.isFile()) throw refuse(label, null, 'is not a regular file');
    if (st.size > maxBytes) throw refuse(label, null, `is larger than ${maxBytes} bytes`);
    text = fs.readFileSync(label.file, 'utf8');
  } catch (err) {
    if (err instanceof VactError) throw err;
    throw refuse(label, null, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw refuse(label, null, `is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw refuse(label, null, 'must hold a JSON object');
  const r = schema.safeParse(json);
  if (!r.success) {
    const { field, detail } = firstProblem(r.error, knownKeys);
    throw refuse(label, field, detail);
  }
  return r.data;
}
