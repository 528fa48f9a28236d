// What the tree, the status bar and the panel show for an agent: pure functions of a snapshot.
import type { StatusResult } from '@vact/shared';
import type { AgentSnapshot } from '../agents/agent-connection';
import { kmsDetailRows } from './kms-view';

/** A theme icon id and a theme colour id (vscode ThemeIcon/ThemeColor names, kept as strings). */
export interface StateLook {
  icon: string;
  color: string;
  /** Short state name as shown to users. */
  label: string;
  /** The CSS class the webviews use. */
  tone: 'ok' | 'warn' | 'error' | 'muted';
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** "5 d", "7 h", "12 min". */
export function formatRemaining(ms: number): string {
  if (ms >= 2 * DAY) return `${Math.floor(ms / DAY)} d`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.max(0, Math.ceil(ms / 60_000))} min`;
}

export const STATE_LABELS: Record<StatusResult['status'], string> = {
  Licensed: 'Licensed',
  InitialGrace: 'Initial grace',
  OutOfToleranceGrace: 'Additional grace',
  Notification: 'Notification',
  Unlicensed: 'Unlicensed',
};

/** The channel shown: the activation's, or the installed key's while not yet activated. */
export function channelOf(st: StatusResult): string | null {
  if (st.channel) return st.channel;
  if (st.keyType === 'kms-client') return 'KMS';
  if (st.keyType === 'mak') return 'MAK';
  if (st.keyType === 'kms-host') return 'KMS host';
  return null;
}

/** Icon, colour and label of an agent's state (offline and connecting included). */
export function stateLook(s: AgentSnapshot): StateLook {
  if (s.kind === 'offline') return { icon: 'debug-disconnect', color: 'disabledForeground', label: 'offline', tone: 'muted' };
  if (!s.status) return { icon: 'loading~spin', color: 'disabledForeground', label: 'connecting', tone: 'muted' };
  switch (s.status.status) {
    case 'Licensed':
      return { icon: 'pass-filled', color: 'testing.iconPassed', label: STATE_LABELS.Licensed, tone: 'ok' };
    case 'InitialGrace':
    case 'OutOfToleranceGrace':
      return { icon: 'warning', color: 'list.warningForeground', label: STATE_LABELS[s.status.status], tone: 'warn' };
    case 'Notification':
      return { icon: 'error', color: 'list.errorForeground', label: STATE_LABELS.Notification, tone: 'error' };
    case 'Unlicensed':
      return { icon: 'circle-slash', color: 'list.errorForeground', label: STATE_LABELS.Unlicensed, tone: 'error' };
  }
}

/** The one-line state: "Licensed · KMS · renews in 5 d", "Initial grace · 12 d left", "offline". */
export function stateLine(s: AgentSnapshot): string {
  const look = stateLook(s);
  const st = s.status;
  if (s.kind === 'offline' || !st) return look.label;
  const parts = [look.label];
  const channel = channelOf(st);
  if (channel) parts.push(channel);
  if (st.status === 'Licensed') {
    if (channel === 'KMS' && st.nextAttemptAt) parts.push(`renews in ${formatRemaining(Date.parse(st.nextAttemptAt) - Date.parse(st.now))}`);
    else if (channel === 'KMS' && st.remainingMs !== null) parts.push(`valid ${formatRemaining(st.remainingMs)}`);
  } else if ((st.status === 'InitialGrace' || st.status === 'OutOfToleranceGrace') && st.remainingMs !== null) {
    parts.push(`${formatRemaining(st.remainingMs)} left`);
  }
  if (st.lastError && st.status !== 'Licensed') parts.push(st.lastError.code);
  return parts.join(' · ');
}

/** Deadline in ms since epoch (agent clock) or null: grace end or validity end. */
export function deadlineOf(s: AgentSnapshot): number | null {
  const st = s.status;
  if (!st || st.remainingMs === null) return null;
  return Date.parse(st.now) + st.remainingMs;
}

/** The detail rows under an agent in the tree. */
export function detailRows(s: AgentSnapshot): { label: string; value: string }[] {
  const st = s.status;
  const lab = s.config.lab ? [{ label: 'lab', value: `${s.config.lab.role} · ${s.config.lab.edition}` }] : [];
  if (s.kind === 'offline') return [{ label: 'URL', value: s.config.url }, { label: 'error', value: s.error ?? 'unreachable' }, ...lab];
  if (!st) return [{ label: 'URL', value: s.config.url }, ...lab];
  const rows = [
    { label: 'edition', value: st.editionName },
    { label: 'channel', value: channelOf(st) ?? 'none' },
    { label: 'partial key', value: st.partialKey ?? 'none' },
    { label: 'CMID', value: st.cmid },
  ];
  rows.push(...kmsDetailRows(s));
  rows.push({ label: 'rearms left', value: String(st.remainingRearms) });
  if (st.lastError) rows.push({ label: 'last error', value: `${st.lastError.code}: ${st.lastError.message}` });
  rows.push({ label: 'connected as', value: s.role ?? '-' }, ...lab);
  return rows;
}

export type GroupBy = 'none' | 'state';
export type SortBy = 'name' | 'deadline';

/** Orders agents by name, or by deadline (soonest first; no deadline and offline last). */
export function sortAgents(list: AgentSnapshot[], by: SortBy): AgentSnapshot[] {
  const byName = (a: AgentSnapshot, b: AgentSnapshot): number => a.config.name.localeCompare(b.config.name);
  if (by === 'name') return [...list].sort(byName);
  return [...list].sort((a, b) => {
    const da = deadlineOf(a) ?? Infinity;
    const db = deadlineOf(b) ?? Infinity;
    return da === db ? byName(a, b) : da - db;
  });
}

/** Groups agents by their state label, in a fixed, most-urgent-first order. */
export function groupAgents(list: AgentSnapshot[], sortBy: SortBy): { label: string; agents: AgentSnapshot[] }[] {
  const order = ['Notification', 'Unlicensed', 'Additional grace', 'Initial grace', 'Licensed', 'connecting', 'offline'];
  const groups = new Map<string, AgentSnapshot[]>();
  for (const a of list) {
    const label = stateLook(a).label;
    groups.set(label, [...(groups.get(label) ?? []), a]);
  }
  return order.filter((l) => groups.has(l)).map((label) => ({ label, agents: sortAgents(groups.get(label) ?? [], sortBy) }));
}
