// What the license panel shows, computed from an agent snapshot. Plain data, sent to the webview.
import type { AgentSnapshot } from '../agents/agent-connection';
import { channelOf, formatRemaining, stateLine, stateLook } from './agent-view';
import type { PanelState } from '../panel/messages';
import { hostSection, kmsSection } from './kms-view';
import { nextReminder } from './next-reminder';

const DAY = 86_400_000;
const GRACE_MS = 30 * DAY;
const KMS_VALIDITY_MS = 180 * DAY;

export function panelState(s: AgentSnapshot): PanelState {
  const look = stateLook(s);
  const st = s.status;
  const base: PanelState = {
    name: s.config.name,
    url: s.config.url,
    connection: s.kind,
    role: s.role,
    label: look.label,
    tone: look.tone,
    line: stateLine(s),
    error: s.kind === 'offline' ? s.error : null,
    facts: [],
    countdown: null,
    kms: null,
    host: null,
    lastError: null,
    events: [],
    admin: s.role === 'admin',
    channel: st ? channelOf(st) : null,
  };
  if (!st) return base;
  const facts: { label: string; value: string }[] = [
    { label: 'Edition', value: st.editionName },
    { label: 'Channel', value: channelOf(st) ?? 'none' },
    { label: 'Partial key', value: st.partialKey ?? 'none' },
    { label: 'CMID', value: st.cmid },
  ];
  const deadline = st.remainingMs !== null ? Date.parse(st.now) + st.remainingMs : null;
  if (st.status === 'Licensed' && deadline === null) facts.push({ label: 'Expires', value: 'never (permanent activation)' });
  if (deadline !== null) facts.push({ label: st.status === 'Licensed' ? 'Valid until' : 'Grace ends', value: new Date(deadline).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' });
  if (st.nextAttemptAt) facts.push({ label: st.status === 'Licensed' ? 'Next renewal' : 'Next attempt', value: st.nextAttemptAt.replace('T', ' ').slice(0, 16) + ' UTC' });
  const reminder = nextReminder(st);
  facts.push({ label: 'Next reminder', value: reminder === null ? 'none scheduled' : new Date(reminder).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' });
  if (st.details?.lastReminderAt) facts.push({ label: 'Last reminder', value: st.details.lastReminderAt.replace('T', ' ').slice(0, 16) + ' UTC' });
  facts.push({ label: 'Rearms left', value: String(st.remainingRearms) });
  facts.push({ label: 'Clock', value: `${st.clock}, ${st.now.replace('T', ' ').slice(0, 16)} UTC` });
  const countdown =
    st.remainingMs === null
      ? null
      : (() => {
          const total = st.status === 'Licensed' ? KMS_VALIDITY_MS : GRACE_MS;
          return { fraction: Math.max(0, Math.min(1, st.remainingMs / total)), label: `${formatRemaining(st.remainingMs)} left of ${Math.round(total / DAY)} d` };
        })();
  const kms = kmsSection(s);
  const host = hostSection(s);
  return {
    ...base,
    facts,
    countdown,
    kms,
    host,
    lastError: st.lastError ? { code: st.lastError.code, message: st.lastError.message, at: st.lastError.at } : null,
    events: s.events.slice(-30).reverse().map((e) => ({ time: e.time, level: e.level, eventId: e.eventId, message: e.message })),
  };
}
