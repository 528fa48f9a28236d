// Small text helpers for human CLI output: fixed UTC timestamps and slmgr-style remaining times.

/** "2026-11-27 10:00:00 UTC" for an ISO time; "(none)" for null. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '(none)';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** slmgr's "43200 minute(s) (30 day(s))" for a remaining time in ms. */
export function formatRemaining(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  return `${minutes} minute(s) (${days} day(s))`;
}

/** "in 3 days 4 hours" / "in 45 minutes" for a remaining time. */
export function formatIn(ms: number): string {
  if (ms <= 0) return 'now';
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} day${d === 1 ? '' : 's'}`);
  if (h) parts.push(`${h} hour${h === 1 ? '' : 's'}`);
  if (!d && m) parts.push(`${m} minute${m === 1 ? '' : 's'}`);
  return parts.length ? `in ${parts.join(' ')}` : 'in less than a minute';
}

/** Aligns "Label: value" lines (labels padded) for blocks such as /dlv. */
export function labelled(rows: [string, string][]): string[] {
  return rows.map(([k, v]) => `${k}: ${v}`);
}
