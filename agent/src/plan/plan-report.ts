// `vact plan --html`: a self-contained report with the worksheet and a diagram of zones,
// their KMS hosts and host keys, and which zones use the core hosts over TCP 1688.
import { CORE_ZONE, type Plan, type PlanZone } from '@vact/shared';
import { esc, htmlPage } from './html';

const BOX_W = 190;
const BOX_H = 96;
const GAP = 24;

/** The diagram as an inline SVG: the core on top, the other zones below, WAN links dashed. */
export function planDiagram(p: Plan): string {
  const core = p.zones.find((z) => z.zone === CORE_ZONE);
  const others = p.zones.filter((z) => z.zone !== CORE_ZONE);
  const width = Math.max(BOX_W + 2 * GAP, others.length * (BOX_W + GAP) + GAP);
  const height = core ? 2 * BOX_H + 3 * GAP + 20 : BOX_H + 2 * GAP;
  const parts: string[] = [];
  const coreX = (width - BOX_W) / 2;
  const rowY = core ? BOX_H + 2 * GAP + 20 : GAP;
  others.forEach((z, i) => {
    const x = GAP + i * (BOX_W + GAP);
    const usesCore = p.rows.some((r) => r.zone === z.zone && r.kmsHostZone === CORE_ZONE);
    if (core && usesCore) {
      parts.push(`<line class="wan" x1="${x + BOX_W / 2}" y1="${rowY}" x2="${coreX + BOX_W / 2}" y2="${GAP + BOX_H}" stroke="#36c" stroke-width="2" stroke-dasharray="6 4"/>`);
      parts.push(`<text x="${(x + BOX_W / 2 + coreX + BOX_W / 2) / 2 + 4}" y="${(rowY + GAP + BOX_H) / 2}" font-size="11" fill="#36c">TCP 1688</text>`);
    }
    parts.push(zoneBox(z, p, x, rowY));
  });
  if (core) parts.push(zoneBox(core, p, coreX, GAP));
  return `<svg xmlns="http://www.w3.org/2000/svg" id="zones" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif">${parts.join('')}</svg>`;
}

function zoneBox(z: PlanZone, p: Plan, x: number, y: number): string {
  const rows = p.rows.filter((r) => r.zone === z.zone);
  const by = (m: string): number => rows.filter((r) => r.method === m).reduce((n, r) => n + r.count, 0);
  const fill = z.localKmsHosts > 0 ? '#e8f6ee' : by('MAK') > 0 ? '#fdf1e3' : '#f3f3f3';
  const hosts = Array.from({ length: z.localKmsHosts }, (_, i) => `<circle class="kms-host" cx="${x + 16 + i * 20}" cy="${y + 74}" r="7" fill="#1a6"><title>KMS host</title></circle>`).join('');
  const key = z.hostKeyGroup ? `<text x="${x + 16 + z.localKmsHosts * 20}" y="${y + 78}" font-size="11">host key ${esc(z.hostKeyGroup)}</text>` : '';
  return `<g class="zone" data-zone="${esc(z.zone)}"><rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="8" fill="${fill}" stroke="#888"/>` +
    `<text x="${x + 10}" y="${y + 20}" font-weight="bold">${esc(z.zone)}</text>` +
    `<text x="${x + 10}" y="${y + 38}" font-size="12">${z.machines} machines</text>` +
    `<text x="${x + 10}" y="${y + 54}" font-size="12">KMS ${by('KMS')} · MAK ${by('MAK')} · none ${by('none')}</text>${hosts}${key}</g>`;
}

function tableHtml(id: string, header: string[], rows: (string | number)[][], cls: (row: number, col: number) => string = () => ''): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r, i) => `<tr>${r.map((c, j) => `<td class="${typeof c === 'number' ? 'n ' : ''}${cls(i, j)}">${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table id="${id}">${head}${body}</table>`;
}

/** The whole report as one HTML document. */
export function planHtml(p: Plan, title: string): string {
  const t = p.totals;
  const body = [
    `<h1>Volume activation plan</h1><p>${esc(title)}</p>`,
    '<h2>Activation method worksheet (Table 2)</h2>',
    tableHtml('worksheet', ['Row', 'Count', 'Edition', 'Zone', 'Method', 'KMS host zone', 'Reason'],
      p.rows.map((r) => [r.name, r.count, r.edition, r.zone, r.method === 'MAK' && r.makMode ? `MAK (${r.makMode})` : r.method, r.kmsHostZone ?? '—', r.reason]),
      (i, j) => (j === 4 ? p.rows[i].method : '')),
    tableHtml('totals', ['Total machines', 'KMS', 'MAK', 'No activation', 'Remaining'], [[t.total, t.KMS, t.MAK, t.none, t.remaining]]),
    '<h2>Zones, KMS hosts and keys</h2>',
    planDiagram(p),
    tableHtml('zones', ['Zone', 'Machines', 'Served by its hosts', 'Size (Table 1)', 'KMS hosts', 'Host key'],
      p.zones.map((z) => [z.zone, z.machines, z.kmsServed, z.size ?? '—', z.localKmsHosts, z.hostKeyGroup ?? '—'])),
    '<h2>Keys (Tables 3–5)</h2>',
    tableHtml('keys', ['Type', 'Group', 'Zone', 'Machines', 'Details'],
      p.keys.map((k) => [k.type, k.group, k.zone ?? '(all zones)', k.machines,
        k.type === 'kms-host' ? `${k.hosts} host(s); activates ${k.activates!.join(', ')}; installable on ${k.installableOn}` : `zones ${k.zones!.join(', ')}; ${k.modes!.join(', ')}`])),
    '<h2>Warnings</h2>',
    p.warnings.length === 0 ? '<p>None.</p>' : p.warnings.map((w) => `<div class="warn" data-kind="${esc(w.kind)}">${esc(w.message)}</div>`).join(''),
  ];
  return htmlPage(`vact plan: ${title}`, body.join('\n'));
}
