// The license panel's script: renders the state the extension posts, sends button actions.
import { ToWebviewSchema, type PanelAction, type PanelState } from '../panel/messages';
import { el, vscodeApi, when } from './dom';
import { kmsClientSection, kmsHostSection } from './kms-sections';

const vscode = vscodeApi();
const app = document.getElementById('app') as HTMLElement;
let busy: string | null = null;
let last: PanelState | null = null;

function button(action: PanelAction, label: string, enabled: boolean, title = ''): HTMLButtonElement {
  const b = el('button', { type: 'button', 'data-action': action, title }, busy === action ? `${label}…` : label);
  if (!enabled || busy !== null) b.disabled = true;
  b.addEventListener('click', () => vscode.postMessage({ type: 'action', action }));
  return b;
}

function render(s: PanelState): void {
  const online = s.connection === 'online';
  const adminOnly = s.admin ? '' : 'needs the admin token';
  const header = el('header', {},
    el('div', { class: 'agent' }, `${s.name} · ${s.url}${s.role ? ` · ${s.role} token` : ''}`),
    el('h1', { class: `state tone-${s.tone}`, id: 'state', 'data-state': s.label }, s.label),
    el('div', { class: 'line', id: 'state-line' }, s.line),
  );
  const parts: (Node | null)[] = [header];
  if (s.error) parts.push(el('p', { class: 'error', role: 'alert' }, `Offline: ${s.error}. Reconnecting…`));
  if (s.countdown) {
    const bar = el('div', { class: `bar tone-${s.tone}`, role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(s.countdown.fraction * 100)), 'aria-label': s.countdown.label });
    bar.append(el('div', { class: 'fill', style: '' }));
    (bar.firstChild as HTMLElement).style.width = `${(s.countdown.fraction * 100).toFixed(1)}%`;
    parts.push(el('section', { class: 'countdown' }, bar, el('div', { class: 'muted' }, s.countdown.label)));
  }
  parts.push(
    el('nav', { class: 'actions', 'aria-label': 'Actions' },
      button('activate', 'Activate now', online),
      button('installKey', 'Install product key…', online && s.admin, adminOnly),
      button('switchChannel', s.channel === 'KMS' ? 'Switch to MAK…' : 'Switch to KMS', online && s.admin, adminOnly),
      button('rearm', 'Rearm…', online && s.admin, adminOnly),
      button('showInstallationId', 'Installation ID', online),
      button('enterConfirmationId', 'Confirmation ID…', online && s.admin, adminOnly),
      button('refresh', 'Refresh', true),
    ),
  );
  if (s.lastError) parts.push(el('p', { class: 'error', id: 'last-error' }, `Last error ${s.lastError.code} at ${when(s.lastError.at)}: ${s.lastError.message}`));
  const dl = el('dl', { class: 'facts' });
  for (const f of s.facts) dl.append(el('dt', {}, f.label), el('dd', {}, f.value));
  parts.push(el('section', { 'aria-label': 'License' }, el('h2', {}, 'License'), dl));
  if (s.kms) parts.push(kmsClientSection(s, s.kms, button, online));
  if (s.host) parts.push(kmsHostSection(s.host));
  const ol = el('ol', { class: 'timeline', 'aria-label': 'Event log' });
  for (const e of s.events) ol.append(el('li', { class: `level-${e.level}` }, el('time', {}, when(e.time)), el('span', { class: 'eid' }, String(e.eventId)), el('span', {}, e.message)));
  parts.push(el('section', { 'aria-label': 'Events' }, el('h2', {}, 'Events'), s.events.length ? ol : el('p', { class: 'muted' }, 'No events yet.')));
  app.replaceChildren(...parts.filter((p): p is Node => p !== null));
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = ToWebviewSchema.safeParse(event.data);
  if (!parsed.success) return;
  const msg = parsed.data;
  if (msg.type === 'state') last = msg.state;
  else if (msg.type === 'busy') busy = msg.action;
  if (last) render(last);
});
vscode.postMessage({ type: 'ready' });
