// The planning inventory: one row per computer or group of identical computers. This module
// turns CSV records or JSON objects into checked rows, or into a list of every problem found
// (line, column, reason) so the administrator can fix the whole file in one pass.
import type { Catalogue } from '../catalogue/types';
import type { CsvRecord } from './csv';

/** The inventory columns, in the documented order (docs/planning.md). */
export const INVENTORY_COLUMNS = ['name', 'count', 'edition', 'vm', 'zone', 'reaches_core_kms', 'connects_every_days', 'internet', 'needs_activation'] as const;
export type InventoryColumn = (typeof INVENTORY_COLUMNS)[number];

/** The zone of the core network, where the organisation's main KMS hosts live. */
export const CORE_ZONE = 'core';
/** Upper bound on one row's count: a typo (an extra zero) should not plan a fleet of billions. */
export const MAX_ROW_COUNT = 1_000_000;
const MAX_ROWS = 100_000;

export interface InventoryRow {
  /** 1-based line (CSV) or row number (JSON) the row came from. */
  line: number;
  name: string;
  count: number;
  edition: string;
  vm: boolean;
  zone: string;
  reachesCoreKms: boolean;
  /** Days between connections to the zone's network; null for never. */
  connectsEveryDays: number | null;
  internet: boolean;
  needsActivation: boolean;
}

/** One bad cell or row: where it is and what is wrong. */
export interface InventoryProblem { line: number; column: string; reason: string }

export type InventoryResult = { ok: true; rows: InventoryRow[] } | { ok: false; problems: InventoryProblem[] };

type Cell = string | number | boolean | null | undefined;

function yesNo(v: Cell): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (['yes', 'y', 'true'].includes(s)) return true;
  if (['no', 'n', 'false'].includes(s)) return false;
  return undefined;
}

function wholeNumber(v: Cell): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

const show = (v: Cell): string => (v === undefined || v === null || v === '' ? 'empty' : JSON.stringify(v));

/** Checks one row's cells; pushes each problem, returns the row only when it has none. */
function checkRow(cells: Record<string, Cell>, line: number, c: Catalogue, problems: InventoryProblem[]): InventoryRow | undefined {
  const before = problems.length;
  const bad = (column: InventoryColumn, reason: string): void => void problems.push({ line, column, reason });
  const flag = (column: InventoryColumn): boolean => {
    const b = yesNo(cells[column]);
    if (b === undefined) bad(column, `must be yes or no (got ${show(cells[column])})`);
    return b ?? false;
  };
  const name = typeof cells.name === 'string' ? cells.name.trim() : '';
  if (name === '' || name.length > 100) bad('name', name === '' ? 'is empty' : 'is longer than 100 characters');
  const count = wholeNumber(cells.count);
  if (count === undefined || count < 1 || count > MAX_ROW_COUNT) bad('count', `must be a whole number from 1 to ${MAX_ROW_COUNT} (got ${show(cells.count)})`);
  const edition = typeof cells.edition === 'string' ? cells.edition.trim() : '';
  if (!c.editions.some((e) => e.id === edition)) bad('edition', `${show(cells.edition)} is not an edition of the catalogue (run \`vact catalogue show\`; e.g. ${c.editions.slice(0, 3).map((e) => e.id).join(', ')})`);
  const zone = typeof cells.zone === 'string' ? cells.zone.trim() : '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(zone)) bad('zone', `must be a label of letters, digits, . _ - (up to 64; the core network is "core"; got ${show(cells.zone)})`);
  const connectsRaw = cells.connects_every_days;
  const never = typeof connectsRaw === 'string' && connectsRaw.trim().toLowerCase() === 'never';
  const connects = never ? null : wholeNumber(connectsRaw);
  if (connects === undefined || (connects !== null && (connects < 0 || connects > 36_500))) bad('connects_every_days', `must be a number of days (0 to 36500) or never (got ${show(connectsRaw)})`);
  const row: InventoryRow = {
    line, name, count: count ?? 0, edition, zone,
    vm: flag('vm'), reachesCoreKms: flag('reaches_core_kms'), connectsEveryDays: connects ?? null, internet: flag('internet'), needsActivation: flag('needs_activation'),
  };
  return problems.length === before ? row : undefined;
}

/** Checks the rows together: unique names, one reachability per zone. */
function checkTogether(rows: InventoryRow[], problems: InventoryProblem[]): void {
  const names = new Map<string, number>();
  const reach = new Map<string, InventoryRow>();
  for (const r of rows) {
    const seen = names.get(r.name);
    if (seen !== undefined) problems.push({ line: r.line, column: 'name', reason: `"${r.name}" is also the name on line ${seen}` });
    else names.set(r.name, r.line);
    if (r.zone === CORE_ZONE) continue;
    const first = reach.get(r.zone);
    if (first === undefined) reach.set(r.zone, r);
    else if (first.reachesCoreKms !== r.reachesCoreKms) {
      problems.push({ line: r.line, column: 'reaches_core_kms', reason: `zone "${r.zone}" says ${first.reachesCoreKms ? 'yes' : 'no'} on line ${first.line}: a zone either reaches the core KMS hosts on TCP 1688 or not` });
    }
  }
}

function finish(rows: (InventoryRow | undefined)[], problems: InventoryProblem[]): InventoryResult {
  const good = rows.filter((r): r is InventoryRow => r !== undefined);
  checkTogether(good, problems);
  if (good.length === 0 && problems.length === 0) problems.push({ line: 1, column: '', reason: 'the inventory has no rows' });
  const col = (p: InventoryProblem): number => (INVENTORY_COLUMNS as readonly string[]).indexOf(p.column);
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line || col(a) - col(b)) };
  return { ok: true, rows: good };
}

/** Reads CSV records (the first is the header) into rows, or every problem found. */
export function inventoryFromCsv(records: CsvRecord[], c: Catalogue): InventoryResult {
  const problems: InventoryProblem[] = [];
  if (records.length === 0) return { ok: false, problems: [{ line: 1, column: '', reason: `the file is empty; the header is ${INVENTORY_COLUMNS.join(',')}` }] };
  const [header, ...body] = records;
  const names = header.cells.map((h) => h.trim().toLowerCase());
  names.forEach((h, i) => {
    if (!(INVENTORY_COLUMNS as readonly string[]).includes(h)) problems.push({ line: header.line, column: h || `#${i + 1}`, reason: `unknown column (the columns are ${INVENTORY_COLUMNS.join(',')})` });
  });
  for (const col of INVENTORY_COLUMNS) if (!names.includes(col)) problems.push({ line: header.line, column: col, reason: 'missing from the header' });
  if (problems.length > 0) return { ok: false, problems };
  if (body.length > MAX_ROWS) return { ok: false, problems: [{ line: body[MAX_ROWS].line, column: '', reason: `more than ${MAX_ROWS} rows; group identical computers in one row with a count` }] };
  const rows = body.map((rec) => {
    if (rec.cells.length !== names.length) {
      problems.push({ line: rec.line, column: '', reason: `has ${rec.cells.length} cells, the header has ${names.length}` });
      return undefined;
    }
    return checkRow(Object.fromEntries(names.map((n, i) => [n, rec.cells[i]])), rec.line, c, problems);
  });
  return finish(rows, problems);
}

/** Reads a JSON inventory (an array of objects with the CSV's column names, or { rows: [...] }); line = row number. */
export function inventoryFromJson(json: unknown, c: Catalogue): InventoryResult {
  const list = Array.isArray(json) ? json : json && typeof json === 'object' && Array.isArray((json as { rows?: unknown }).rows) ? (json as { rows: unknown[] }).rows : undefined;
  if (!list) return { ok: false, problems: [{ line: 1, column: '', reason: 'a JSON inventory is an array of rows (or an object with "rows")' }] };
  if (list.length > MAX_ROWS) return { ok: false, problems: [{ line: MAX_ROWS + 1, column: '', reason: `more than ${MAX_ROWS} rows` }] };
  const problems: InventoryProblem[] = [];
  const rows = list.map((raw, i) => {
    const line = i + 1;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ line, column: '', reason: 'a row must be an object' });
      return undefined;
    }
    const obj = raw as Record<string, Cell>;
    for (const k of Object.keys(obj)) if (!(INVENTORY_COLUMNS as readonly string[]).includes(k)) problems.push({ line, column: k, reason: 'unknown field' });
    const stringy = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typeof v === 'number' && k !== 'count' && k !== 'connects_every_days' ? String(v) : v]));
    return checkRow(stringy, line, c, problems);
  });
  return finish(rows, problems);
}
