// The fleet dashboard's script: a sortable table, counts by state, soonest deadlines first.
import { ToWebviewSchema, type DashboardRow } from '../panel/messages';
import { countsByState } from '../model/state-counts';
import { el, vscodeApi } from './dom';

const vscode = vscodeApi();
const app = document.getElementById('app') as HTMLElement;
type Col = 'name' | 'label' | 'channel' | 'daysLeft' | 'lastError';
let rows: DashboardRow[] = [];
let sort: { col: Col; dir: 1 | -1 } = { col: 'daysLeft', dir: 1 };

function sorted(): DashboardRow[] {
  return [...rows].sort((a, b) => {
    const x = a[sort.col] ?? Infinity;
    const y = b[sort.col] ?? Infinity;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir;
  });
}

function render(): void {
  const counts = el('ul', { class: 'counts', 'aria-label': 'Agents by state' });
  for (const c of countsByState(rows)) counts.append(el('li', { class: `tone-${c.tone}` }, el('strong', {}, String(c.count)), ` ${c.label}`));
  const cols: [Col, string][] = [['name', 'Agent'], ['label', 'State'], ['channel', 'Channel'], ['daysLeft', 'Days left'], ['lastError', 'Last error']];
  const head = el('tr', {});
  for (const [col, title] of cols) {
    const b = el('button', { type: 'button', class: 'sort' }, title + (sort.col === col ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''));
    b.addEventListener('click', () => {
      sort = { col, dir: sort.col === col ? (sort.dir === 1 ? -1 : 1) : 1 };
      render();
    });
    head.append(el('th', { scope: 'col', 'aria-sort': sort.col === col ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none' }, b));
  }
  const body = el('tbody', {});
  for (const r of sorted()) {
    const open = el('button', { type: 'button', class: 'link' }, r.name);
    open.addEventListener('click', () => vscode.postMessage({ type: 'open', agentId: r.id }));
    body.append(el('tr', {}, el('td', {}, open), el('td', { class: `tone-${r.tone}` }, r.label), el('td', {}, r.channel), el('td', {}, r.daysLeft === null ? '—' : String(r.daysLeft)), el('td', { class: 'muted' }, r.lastError)));
  }
  app.replaceChildren(el('h1', {}, `Fleet · ${rows.length} agent${rows.length === 1 ? '' : 's'}`), counts, el('table', { class: 'fleet' }, el('thead', {}, head), body));
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = ToWebviewSchema.safeParse(event.data);
  if (!parsed.success || parsed.data.type !== 'fleet') return;
  rows = parsed.data.rows;
  render();
});
vscode.postMessage({ type: 'ready' });
