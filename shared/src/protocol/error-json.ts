// The JSON shape of a VactError on every wire: the authority's HTTP error bodies, the control
// API's JSON-RPC error data, and `vact … --json` error output.
import { z } from 'zod';

/** {code, number, message, hint, details?}; `code` is typed as string so newer peers' codes still parse. */
export const VactErrorJsonSchema = z.object({
  code: z.string(),
  number: z.number().int(),
  message: z.string(),
  hint: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type VactErrorJson = z.infer<typeof VactErrorJsonSchema>;

/** The one human form of an error for every `vact` command: `error CODE (number): message` then `what to do: hint`. */
export function formatErrorText(e: Pick<VactErrorJson, 'code' | 'number' | 'message' | 'hint'>): string {
  return `error ${e.code} (${e.number}): ${e.message}\nwhat to do: ${e.hint}\n`;
}
