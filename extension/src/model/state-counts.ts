// Agents per state label, for the dashboard's counts (its own module: the dashboard webview bundles it).
import type { DashboardRow } from '../panel/messages';

/** Agents per state label. */
export function countsByState(rows: DashboardRow[]): { label: string; tone: string; count: number }[] {
  const m = new Map<string, { label: string; tone: string; count: number }>();
  for (const r of rows) {
    const e = m.get(r.label) ?? { label: r.label, tone: r.tone, count: 0 };
    e.count++;
    m.set(r.label, e);
  }
  return [...m.values()];
}
