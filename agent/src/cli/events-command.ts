// `vact events`: the activation event log, newest last, filtered by time, id and level; the
// default view folds repeated identical failures into one line; --follow streams new events.
import { ExitCode, VactError, formatErrorText, parseDuration, type AgentEvent, type ControlParamsInput } from '@vact/shared';
import type { ControlClient } from '@vact/shared/node';
import { agentCommand } from './command-table';
import { formatTime } from './output/text-format';

/** Events shown when --limit is not given. */
export const DEFAULT_EVENT_LIMIT = 100;

/** `--since DURATION|ISO` -> events.query params; throws INVALID_DURATION. */
export function sinceParams(since: string | undefined): { since?: string; withinMs?: number } {
  if (since === undefined) return {};
  if (/^\d{4}-\d{2}-\d{2}/.test(since)) {
    const t = Date.parse(since);
    if (Number.isNaN(t)) throw new VactError('INVALID_DURATION', `--since "${since}" is neither a duration nor an ISO time`);
    return { since: new Date(t).toISOString() };
  }
  return { withinMs: parseDuration(since) };
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Parses --limit. */
function limitOf(text: unknown): number {
  const n = Number(text ?? DEFAULT_EVENT_LIMIT);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new VactError('INVALID_REQUEST', `--limit "${show(text)}": expected a whole number from 1 to 1000`);
  return n;
}

/** Parses --id 12289,12406. */
function idsOf(text: unknown): number[] | undefined {
  if (text === undefined) return undefined;
  const ids = show(text).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0 || ids.length > 100 || ids.some((s) => !/^\d{1,6}$/.test(s))) {
    throw new VactError('INVALID_REQUEST', `--id "${show(text)}": expected event ids separated by commas, e.g. 12289,12406`);
  }
  return ids.map(Number);
}

/** Parses --level (any case; warn = warning). */
function levelOf(text: unknown): 'info' | 'warning' | 'error' | undefined {
  if (text === undefined) return undefined;
  const l = show(text).toLowerCase();
  if (l === 'warn' || l === 'warning') return 'warning';
  if (l === 'info' || l === 'error') return l;
  throw new VactError('INVALID_REQUEST', `--level "${show(text)}": expected info, warn or error`);
}

/** One event as a line of text. */
export function eventText(e: AgentEvent, repeated?: { count: number; last: AgentEvent }): string {
  const base = `${formatTime(e.time)}  ${String(e.eventId).padEnd(5)}  ${e.level.padEnd(7)}  ${e.message}`;
  return repeated ? `${base}  (×${repeated.count}, last ${formatTime(repeated.last.time)})` : base;
}

/** The longest cycle of events folded: a retry is a request (12288) and its failure, so 3 is plenty. */
const MAX_FOLDED_CYCLE = 3;

const sameEvent = (a: AgentEvent, b: AgentEvent): boolean => a.eventId === b.eventId && a.level === b.level && a.message === b.message;

/** How often the block events[i, i+len) repeats back to back from i (1 = no repetition). */
function repetitions(events: readonly AgentEvent[], i: number, len: number): number {
  let r = 1;
  for (; i + (r + 1) * len <= events.length; r++) {
    for (let k = 0; k < len; k++) if (!sameEvent(events[i + k], events[i + r * len + k])) return r;
  }
  return r;
}

/**
 * Events oldest first, one per line. Repeated identical failures — a failure, or a cycle of up to
 * three events with a failure in it (request sent, activation failed), over and over — are shown
 * once, each line with its count and the time of its last repetition.
 */
export function eventsText(events: readonly AgentEvent[]): string {
  if (events.length === 0) return 'No events.';
  const lines: string[] = [];
  for (let i = 0; i < events.length;) {
    let folded = false;
    for (let len = 1; len <= MAX_FOLDED_CYCLE && i + 2 * len <= events.length && !folded; len++) {
      const block = events.slice(i, i + len);
      if (!block.some((e) => e.level !== 'info')) continue;
      const r = repetitions(events, i, len);
      if (r < 2) continue;
      block.forEach((e, k) => lines.push(eventText(e, { count: r, last: events[i + (r - 1) * len + k] })));
      i += r * len;
      folded = true;
    }
    if (!folded) lines.push(eventText(events[i++]));
  }
  return lines.join('\n');
}

/** Until SIGINT/SIGTERM (exit 0) or the agent closes the connection (exit 4). */
async function untilStopped(client: ControlClient): Promise<number> {
  let onSignal: () => void = () => undefined;
  const signalled = new Promise<'signal'>((resolve) => {
    onSignal = () => resolve('signal');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const how = await Promise.race([signalled, client.whenClosed()]);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (how === 'signal') return ExitCode.ok;
  process.stderr.write(formatErrorText(new VactError('UNREACHABLE', how).toJSON()));
  return ExitCode.unreachable;
}

/**
 * --follow: subscribe first, then query, so no event falls between the two; print the backlog,
 * then each new matching event as it is logged (text lines, or one JSON object per line).
 */
async function followEvents(client: ControlClient, params: ControlParamsInput<'events.query'>, json: boolean): Promise<number> {
  const out = (text: string): boolean => process.stdout.write(`${text}\n`);
  const print = (e: AgentEvent): boolean => out(json ? JSON.stringify(e) : eventText(e));
  const levels = params.level === 'error' ? ['error'] : params.level === 'warning' ? ['warning', 'error'] : null;
  const wanted = (e: AgentEvent): boolean => (!params.eventIds || params.eventIds.includes(e.eventId)) && (!levels || levels.includes(e.level));
  let last = -1;
  let queued: AgentEvent[] | null = [];
  const sub = client.onNotification((n) => {
    if (n.method !== 'event.logged' || !wanted(n.params.event)) return;
    if (queued) queued.push(n.params.event);
    else if (n.params.event.seq > last) {
      last = n.params.event.seq;
      print(n.params.event);
    }
  });
  try {
    await client.subscribe(['event']);
    const { events } = await client.call('events.query', params);
    if (json) events.forEach(print);
    else if (events.length > 0) out(eventsText(events));
    last = events.at(-1)?.seq ?? -1;
    for (const e of queued) {
      if (e.seq > last) {
        last = e.seq;
        print(e);
      }
    }
    queued = null;
    return await untilStopped(client);
  } finally {
    sub.dispose();
  }
}

/** The `vact events` row of the command table. */
export const EVENTS_COMMAND = agentCommand({
  path: ['events'], description: "show the activation event log, newest last (ids 12288/12289/12290 and the agent's own)", method: 'events.query',
  options: [
    { flags: '--since <since>', description: "only events of the last DURATION (e.g. 7d, on the agent's clock) or since an ISO time" },
    { flags: '--id <ids>', description: 'only these event ids, e.g. 12289,12406' },
    { flags: '--level <level>', description: 'only events of this level or above: info, warn, error' },
    { flags: '--limit <n>', description: `at most this many of the most recent events (1 to 1000; default ${DEFAULT_EVENT_LIMIT})` },
    { flags: '--follow', description: 'keep running and print new events as they are logged (Ctrl-C stops)' },
  ],
  params: (_a, f) => {
    const ids = idsOf(f['id']);
    const level = levelOf(f['level']);
    return { ...sinceParams(f['since'] as string | undefined), limit: limitOf(f['limit']), ...(ids ? { eventIds: ids } : {}), ...(level ? { level } : {}) };
  },
  render: (r) => eventsText(r.events),
  stream: (client, params, f) => (f['follow'] === true ? followEvents(client, params, f['json'] === true) : null),
});
