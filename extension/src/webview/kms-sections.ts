// The license panel's KMS client and KMS host sections.
import type { PanelHost, PanelKms, PanelState } from '../panel/messages';
import { el, when } from './dom';

type Button = (action: 'kmsSetHost' | 'kmsClearHost' | 'kmsIntervals', label: string, enabled: boolean, title?: string) => HTMLButtonElement;

function facts(rows: [string, string][]): HTMLElement {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of rows) dl.append(el('dt', {}, k), el('dd', {}, v));
  return dl;
}

/** A count against its threshold: a meter (filled to the threshold) and its label. */
function gauge(id: string, count: number | null, threshold: number | null, label: string): HTMLElement {
  const max = Math.max(1, threshold ?? count ?? 1);
  const value = Math.min(count ?? 0, max);
  const reached = count !== null && threshold !== null && count >= threshold;
  const bar = el('div', { class: `gauge${reached ? ' reached' : ''}`, role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': String(max), 'aria-valuenow': String(value), 'aria-label': label });
  const fill = el('div', { class: 'fill' });
  fill.style.width = `${((value / max) * 100).toFixed(1)}%`;
  bar.append(fill);
  return el('div', { class: 'gauge-row' }, bar, el('span', { id, class: reached ? 'tone-ok' : 'tone-warn' }, label));
}

export function kmsClientSection(s: PanelState, k: PanelKms, button: Button, online: boolean): HTMLElement {
  const adminOnly = s.admin ? '' : 'needs the admin token';
  return el('section', { id: 'kms', 'aria-label': 'KMS client' },
    el('h2', {}, 'KMS client'),
    gauge('kms-count', k.count, k.threshold, k.countLabel),
    facts([
      ['KMS host', k.host],
      ['Found by', k.foundBy],
      ['Setting', k.setting],
      [k.nextKind === 'renewal' ? 'Next renewal' : k.nextKind === 'retry' ? 'Next retry' : 'Next contact', k.next ? when(k.next) : '—'],
      ['Intervals', k.intervals],
      ['Valid until', k.validUntil ? when(k.validUntil) : '—'],
    ]),
    el('div', { class: 'actions' },
      button('kmsSetHost', 'Set KMS host…', online && s.admin, adminOnly),
      button('kmsClearHost', 'Clear KMS host', online && s.admin && k.static, s.admin ? (k.static ? '' : 'no static host is set') : adminOnly),
      button('kmsIntervals', 'Set intervals…', online && s.admin, adminOnly),
    ),
  );
}

function clientsTable(h: PanelHost): HTMLElement {
  if (h.clients.length === 0) return el('p', { class: 'muted' }, 'No client has asked this host yet.');
  const head = el('tr', {});
  for (const t of ['Machine', 'Edition', 'Status', 'Source', 'First seen', 'Last seen', 'Requests', 'VM', 'CMID']) head.append(el('th', { scope: 'col' }, t));
  const body = el('tbody', {});
  for (const c of h.clients) {
    const cmid = el('td', { class: 'mono' }, c.cmid.slice(0, 8) + '…');
    if (c.duplicate) cmid.append(' ', el('span', { class: 'flag', title: `the same CMID from ${c.duplicateOf || 'another machine'} (a cloned image?)` }, '⚠ duplicate CMID'));
    body.append(el('tr', c.duplicate ? { class: 'duplicate', 'data-duplicate': 'true' } : {},
      el('th', { scope: 'row' }, c.machineName), el('td', {}, c.edition), el('td', {}, c.status), el('td', { class: 'mono' }, c.source),
      el('td', {}, when(c.firstSeen)), el('td', {}, when(c.lastSeen)), el('td', { class: 'num' }, String(c.requests)), el('td', {}, c.vm ? 'VM' : '—'), cmid));
  }
  const dup = h.clients.filter((c) => c.duplicate).length;
  return el('div', {},
    dup ? el('p', { class: 'error', role: 'status' }, `⚠ ${dup} client${dup === 1 ? '' : 's'} with a duplicate CMID: machines cloned from one image without rearming count once.`) : null,
    el('div', { class: 'table-wrap' }, el('table', { class: 'clients', id: 'host-clients' }, el('caption', {}, `${h.clients.length} client${h.clients.length === 1 ? '' : 's'} in the cache`), el('thead', {}, head), body)));
}

export function kmsHostSection(h: PanelHost): HTMLElement {
  if (!h.ready) return el('section', { id: 'kms-host', 'aria-label': 'KMS host' }, el('h2', {}, 'KMS host'), el('p', { class: 'muted' }, `Host key group ${h.keyGroup}: reading the host's status…`));
  return el('section', { id: 'kms-host', 'aria-label': 'KMS host' },
    el('h2', {}, `KMS host${h.activated ? '' : ' (not answering: not activated)'}`),
    gauge('host-count', h.count, h.highestThreshold, h.countLabel),
    facts([
      ['Count', String(h.count)],
      ['Cache size', String(h.cacheSize)],
      ['Thresholds', h.thresholds],
      ['Listening', h.listening],
      ['DNS publishing', h.dns],
      ['Certificate', h.certificate],
      ['Requests', h.requests],
    ]),
    el('h3', {}, 'Clients'),
    clientsTable(h),
  );
}
