// The `--clock` setting every vact process takes: the system clock, or a simulated one that
// starts now or at a given time. One parser, so the agent and the authority read it alike.

/** A parsed `--clock` value. */
export type ClockSpec = { kind: 'system' } | { kind: 'sim'; start: number | null };

/** Parses `system`, `sim` or `sim:ISO-TIME`; returns a message naming the problem otherwise. */
export function parseClockSpec(text: string): ClockSpec | { error: string } {
  if (text === 'system') return { kind: 'system' };
  if (text === 'sim') return { kind: 'sim', start: null };
  if (text.startsWith('sim:')) {
    const t = Date.parse(text.slice(4));
    if (!Number.isFinite(t)) return { error: `"${text.slice(4)}" is not an ISO time (e.g. sim:2026-01-01T00:00:00Z)` };
    return { kind: 'sim', start: t };
  }
  return { error: `"${text}" is not one of system, sim, sim:ISO-TIME` };
}
