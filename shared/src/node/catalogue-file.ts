// Reading an organisation's own catalogue file (`--catalogue FILE`) for the CLI, the agent and the authority.
import { readFileSync, statSync } from 'node:fs';
import { VactError, parseCatalogue, type Catalogue } from '../licensing';

/** The largest catalogue file read. */
export const MAX_CATALOGUE_BYTES = 1024 * 1024;

/** Reads and validates a catalogue file; throws VactError('INVALID_CATALOGUE') naming the file and the field. */
export function readCatalogueFile(file: string): Catalogue {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CATALOGUE_BYTES) throw new VactError('INVALID_CATALOGUE', `${file}: ${size} bytes is larger than the ${MAX_CATALOGUE_BYTES}-byte limit`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof VactError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new VactError('INVALID_CATALOGUE', `${file}: cannot read it (${why})`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VactError('INVALID_CATALOGUE', `${file}: not valid JSON (${(err as Error).message})`, { file });
  }
  try {
    return parseCatalogue(json);
  } catch (err) {
    if (err instanceof VactError) throw new VactError('INVALID_CATALOGUE', `${file}: ${err.message.replace(/^The catalogue is not valid: /, '')}`, { ...err.details, file });
    throw err;
  }
}
