// A small RFC 4180 CSV reader that keeps line numbers, so a bad inventory row can be named
// by the line an administrator sees in an editor. Pure: text in, records out.

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  cells: string[];
}

/** A CSV syntax problem (an unterminated quote), with the line it starts on. */
export interface CsvProblem { line: number; reason: string }

/** Splits CSV text into records; blank lines and lines starting with # are skipped. */
export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let line = 1;
  let i = 0;
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  while (i < src.length) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let inQuotes = false;
    for (; i < src.length; i++) {
      const ch = src[i];
      if (inQuotes) {
        if (ch === '"' && src[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') inQuotes = false;
        else { if (ch === '\n') line++; cell += ch; }
        continue;
      }
      if (ch === '"' && cell.trim() === '') { inQuotes = true; quoted = true; cell = ''; } else if (ch === ',') { cells.push(quoted ? cell : cell.trim()); cell = ''; quoted = false; } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && src[i + 1] === '\n') i++;
        i++;
        line++;
        break;
      } else cell += ch;
    }
    if (inQuotes) problems.push({ line: start, reason: 'a quoted cell is not closed' });
    cells.push(quoted ? cell : cell.trim());
    const blank = cells.length === 1 && cells[0] === '';
    if (!blank && !cells[0].startsWith('#')) records.push({ line: start, cells });
  }
  return { records, problems };
}

/** Quotes a cell for CSV output when it needs it. */
export function csvCell(v: string | number | boolean | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
