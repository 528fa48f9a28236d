// The lab's own file, D/lab.json: the MAK issued for the lab, kept between runs. Strict, like
// every persisted format: an unknown key or a value that is not a MAK is refused, naming it.
import * as fs from 'node:fs';
import { z } from 'zod';
import { decodeProductKey, referenceCatalogue } from '@vact/shared';
import { readStrictJsonFile } from '../config/strict-json-file';

const MAX_LAB_FILE_BYTES = 16 * 1024;

/** True when `text` is a well-formed MAK of the reference catalogue. */
function isMak(text: string): boolean {
  try {
    return decodeProductKey(text, referenceCatalogue()).type === 'mak';
  } catch {
    return false;
  }
}

/** lab.json. */
export const LabFileSchema = z.strictObject({
  version: z.literal(1, { error: 'expected 1' }),
  makKey: z.string({ error: 'expected a string' }).refine(isMak, 'expected a MAK (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)').optional(),
});
export type LabFile = z.infer<typeof LabFileSchema>;

/** The lab file in `file`, or a fresh one when there is none; throws INVALID_CONFIG "lab FILE: KEY: reason". */
export function readLabFile(file: string): LabFile {
  if (!fs.existsSync(file)) return { version: 1 };
  return readStrictJsonFile({ kind: 'lab file', file }, LabFileSchema, Object.keys(LabFileSchema.shape), MAX_LAB_FILE_BYTES);
}
