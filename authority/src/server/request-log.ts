// The request log's path field: product keys in a path are reduced to their partial form (the
// shared JSON log redacts strings too; a path is percent-decoded first so an encoded key is caught).
import { redactKeys } from '@vact/shared/node/log';

/** The path as safe to log: product keys reduced to their last five characters. */
export function redactPath(p: string): string {
  let decoded = p;
  try { decoded = decodeURIComponent(p); } catch { /* keep the raw path */ }
  return redactKeys(decoded);
}
