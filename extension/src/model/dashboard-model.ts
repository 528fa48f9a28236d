// The fleet dashboard's rows and counts: soonest deadline first.
import type { AgentSnapshot } from '../agents/agent-connection';
import { channelOf, deadlineOf, sortAgents, stateLook } from './agent-view';
import type { DashboardRow } from '../panel/messages';

export function dashboardRows(list: AgentSnapshot[]): DashboardRow[] {
  return sortAgents(list, 'deadline').map((s) => {
    const d = deadlineOf(s);
    const look = stateLook(s);
    return {
      id: s.config.id,
      name: s.config.name,
      label: look.label,
      tone: look.tone,
      channel: (s.status ? channelOf(s.status) : null) ?? '—',
      daysLeft: d === null || !s.status ? null : Math.floor((d - Date.parse(s.status.now)) / 86_400_000),
      lastError: s.kind === 'offline' ? (s.error ?? 'offline') : s.status?.lastError ? `${s.status.lastError.code}: ${s.status.lastError.message}` : '',
    };
  });
}

export { countsByState } from './state-counts';
