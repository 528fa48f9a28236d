// Durations as people type them: '90s', '15m', '2h', '7d', '1d12h', '1w', '250ms' <-> ms.
import { VactError } from '../errors/error-codes';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** Longest accepted duration: 100 years, far beyond any rule and well inside exact integers. */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;
const MAX_TEXT = 64;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/** Parses '90s', '15m', '2h', '7d', '1d12h', '1w', '1.5h' to whole ms; VactError('INVALID_DURATION') otherwise. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new VactError('INVALID_DURATION', `expected text such as 7d (got ${typeof text})`);
  const src = text.trim().toLowerCase();
  if (src.length === 0 || src.length > MAX_TEXT) throw new VactError('INVALID_DURATION', `"${text.slice(0, MAX_TEXT)}" is empty or too long`);
  PART.lastIndex = 0;
  let total = 0;
  let pos = 0;
  for (let match = PART.exec(src); match; match = PART.exec(src)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    pos = PART.lastIndex;
  }
  if (pos !== src.length) throw new VactError('INVALID_DURATION', `"${text}": use numbers with units ms, s, m, h, d or w, e.g. 90s, 2h or 1d12h`);
  const ms = Math.round(total);
  if (ms > MAX_DURATION_MS) throw new VactError('INVALID_DURATION', `"${text}" is longer than 100 years`);
  return ms;
}

/** Formats ms as the shortest exact compound of d, h, m, s, ms ('1d12h', '1m30s', '0s'); negative gets a leading '-'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
