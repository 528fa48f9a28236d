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
