// The rehearsal chart (SVG, self-contained): each host's count against its threshold, and the
// machines by license state, day by day.
import { LICENSE_STATES, type SimResult } from '@vact/shared';
import { esc } from './html';

const W = 900;
const PANEL_H = 220;
const LEFT = 60;
const RIGHT = 160;
const TOP = 44;
const GAP = 60;
const HOST_COLOURS = ['#1f77b4', '#9467bd', '#8c564b', '#17becf', '#7f7f7f', '#bcbd22'];
const STATE_COLOURS: Record<string, string> = { Licensed: '#2ca02c', InitialGrace: '#ff7f0e', OutOfToleranceGrace: '#d62728', Notification: '#000000', Unlicensed: '#aaaaaa' };

function polyline(points: [number, number][], colour: string, cls: string, dashed = false): string {
  return `<polyline class="${cls}" fill="none" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''} points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

function axes(y0: number, max: number, days: number, label: string): string {
  const ticks = [0, Math.round(max / 2), max];
  const plotW = W - LEFT - RIGHT;
  const yOf = (v: number): number => y0 + PANEL_H - (v / Math.max(1, max)) * PANEL_H;
  const xTicks = Array.from({ length: 5 }, (_, i) => Math.round(((days - 1) * i) / 4));
  return `<text x="${LEFT}" y="${y0 - 10}" font-weight="bold">${esc(label)}</text>` +
    `<line x1="${LEFT}" y1="${y0 + PANEL_H}" x2="${LEFT + plotW}" y2="${y0 + PANEL_H}" stroke="#444"/>` +
    `<line x1="${LEFT}" y1="${y0}" x2="${LEFT}" y2="${y0 + PANEL_H}" stroke="#444"/>` +
    ticks.map((v) => `<text x="${LEFT - 6}" y="${yOf(v) + 4}" font-size="11" text-anchor="end">${v}</text>`).join('') +
    xTicks.map((d) => `<text x="${LEFT + (d / Math.max(1, days - 1)) * plotW}" y="${y0 + PANEL_H + 16}" font-size="11" text-anchor="middle">day ${d}</text>`).join('');
}

/** The chart as an SVG document. */
export function simulationSvg(r: SimResult): string {
  const days = r.series.length;
  const plotW = W - LEFT - RIGHT;
  const xOf = (d: number): number => LEFT + (d / Math.max(1, days - 1)) * plotW;
  const hostNames = Object.keys(r.series[0]?.hosts ?? {});
  const parts: string[] = [`<text x="${LEFT}" y="18" font-size="15" font-weight="bold">${esc(r.name)}: ${r.machines} machines, ${days} days from ${esc(r.start.slice(0, 10))}</text>`];
  const y1 = TOP + 20;
  const maxCount = Math.max(1, ...r.series.flatMap((s) => Object.values(s.hosts).flatMap((h) => [h.count, h.threshold])));
  const yc = (v: number): number => y1 + PANEL_H - (v / maxCount) * PANEL_H;
  parts.push(axes(y1, maxCount, days, 'KMS host count vs threshold'));
  hostNames.forEach((h, i) => {
    const colour = HOST_COLOURS[i % HOST_COLOURS.length];
    parts.push(`<g class="host" data-host="${esc(h)}">`);
    parts.push(polyline(r.series.map((s) => [xOf(s.day), yc(s.hosts[h].count)]), colour, 'count'));
    parts.push(polyline(r.series.map((s) => [xOf(s.day), yc(s.hosts[h].threshold)]), colour, 'threshold', true));
    parts.push(`<text x="${W - RIGHT + 10}" y="${y1 + 14 + i * 16}" font-size="12" fill="${colour}">${esc(h)} count / threshold</text></g>`);
  });
  const y2 = y1 + PANEL_H + GAP;
  const maxMachines = Math.max(1, ...r.series.map((s) => LICENSE_STATES.reduce((n, st) => n + s.states[st], 0)));
  const ys = (v: number): number => y2 + PANEL_H - (v / maxMachines) * PANEL_H;
  parts.push(axes(y2, maxMachines, days, 'Machines by license state'));
  LICENSE_STATES.forEach((st, i) => {
    parts.push(`<g class="state" data-state="${st}">${polyline(r.series.map((s) => [xOf(s.day), ys(s.states[st])]), STATE_COLOURS[st], 'machines')}` +
      `<text x="${W - RIGHT + 10}" y="${y2 + 14 + i * 16}" font-size="12" fill="${STATE_COLOURS[st]}">${st}</text></g>`);
  });
  const H = y2 + PANEL_H + 30;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui,sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
