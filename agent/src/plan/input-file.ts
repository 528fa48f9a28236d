// Reading the planning inputs (inventory CSV/JSON, scenario JSON/YAML) from disk, with the
// file problems reported the same way as bad rows: line, column, reason.
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { inventoryFromCsv, inventoryFromJson, parseCsv, type Catalogue, type InventoryProblem, type InventoryResult } from '@vact/shared';

/** Planning inputs are small text files; refuse anything absurd before reading it. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/** A problem in an input file: where (line, column) and why. */
export interface InputProblem { line: number; column: string; reason: string }

/** Thrown when an input file cannot be used; carries every problem found. */
export class InputError extends Error {
  constructor(public readonly file: string, public readonly problems: InputProblem[]) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  }
}

/** The text of a file, or an InputError saying why it cannot be read. */
export function readText(file: string): string {
  try {
    const size = statSync(file).size;
    if (size > MAX_INPUT_BYTES) throw new InputError(file, [{ line: 0, column: '', reason: `${size} bytes is larger than the ${MAX_INPUT_BYTES}-byte limit` }]);
    return readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new InputError(file, [{ line: 0, column: '', reason: `cannot read it (${why})` }]);
  }
}

/** Parses JSON, or YAML when the file says so; a syntax error becomes a problem with its line. */
export function parseStructured(file: string, text: string): unknown {
  const yaml = ['.yaml', '.yml'].includes(extname(file).toLowerCase());
  try {
    return yaml ? loadYaml(text) : JSON.parse(text);
  } catch (err) {
    const e = err as Error & { mark?: { line: number; column: number } };
    const m = /position (\d+)/.exec(e.message);
    const line = e.mark ? e.mark.line + 1 : m ? text.slice(0, Number(m[1])).split('\n').length : 1;
    throw new InputError(file, [{ line, column: e.mark ? String(e.mark.column + 1) : '', reason: `not valid ${yaml ? 'YAML' : 'JSON'}: ${e.message.split('\n')[0]}` }]);
  }
}

/** Reads an inventory file: JSON when it ends in .json or starts with [ or {, else CSV. */
export function readInventory(file: string, c: Catalogue): InventoryResult & { ok: true } {
  const text = readText(file);
  const json = extname(file).toLowerCase() === '.json' || /^\s*[[{]/.test(text);
  let res: InventoryResult;
  if (json) res = inventoryFromJson(parseStructured(file, text), c);
  else {
    const { records, problems } = parseCsv(text);
    if (problems.length > 0) throw new InputError(file, problems.map((p) => ({ ...p, column: '' })));
    res = inventoryFromCsv(records, c);
  }
  if (!res.ok) throw new InputError(file, res.problems satisfies InventoryProblem[]);
  return res;
}

/** "FILE:LINE: COLUMN: reason" lines for stderr (a scenario field has a path and no line). */
export function formatProblems(err: InputError): string {
  return err.problems.map((p) => `${err.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.column ? `${p.column}: ` : ''}${p.reason}`).join('\n');
}
