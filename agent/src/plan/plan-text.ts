// The human forms of a plan: the Table 2 worksheet, then zones, keys and warnings; and CSV.
import { csvCell, type Plan } from '@vact/shared';

/** Aligned columns with two-space gutters. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The worksheet, zones, keys and warnings as text. */
export function formatPlan(p: Plan): string {
  const t = p.totals;
  const out = [
    'Activation method worksheet (Table 2)',
    ...table(['ROW', 'COUNT', 'EDITION', 'ZONE', 'METHOD', 'KMS HOST ZONE', 'REASON'],
      p.rows.map((r) => [r.name, String(r.count), r.edition, r.zone, r.method === 'MAK' && r.makMode ? `MAK (${r.makMode})` : r.method, r.kmsHostZone ?? '-', r.reason])),
    '',
    `  total ${t.total} = KMS ${t.KMS} + MAK ${t.MAK} + no activation ${t.none}; remaining ${t.remaining}`,
    '',
    'Zones and KMS hosts (Table 1)',
    ...table(['ZONE', 'MACHINES', 'SERVED BY ITS HOSTS', 'SIZE', 'KMS HOSTS', 'HOST KEY'],
      p.zones.map((z) => [z.zone, String(z.machines), String(z.kmsServed), z.size ?? '-', String(z.localKmsHosts), z.hostKeyGroup ?? '-'])),
    '',
    'Keys (Tables 3-5)',
    ...table(['TYPE', 'GROUP', 'ZONE', 'MACHINES', 'DETAILS'],
      p.keys.map((k) => [k.type, k.group, k.zone ?? '(all)', String(k.machines),
        k.type === 'kms-host' ? `${k.hosts} host(s); activates ${k.activates!.join(', ')}; installable on ${k.installableOn}` : `zones ${k.zones!.join(', ')}; ${k.modes!.join(', ')}`])),
    '',
    p.warnings.length === 0 ? 'Warnings: none' : 'Warnings',
    ...p.warnings.map((w) => `  - [${w.kind}] ${w.message}`),
  ];
  return `${out.join('\n')}\n`;
}

/** The worksheet as CSV, one line per inventory row. */
export function planCsv(p: Plan): string {
  const lines = [['name', 'count', 'edition', 'zone', 'method', 'mak_mode', 'kms_host_zone', 'reason']];
  for (const r of p.rows) lines.push([r.name, String(r.count), r.edition, r.zone, r.method, r.makMode ?? '', r.kmsHostZone ?? '', r.reason]);
  return `${lines.map((l) => l.map(csvCell).join(',')).join('\n')}\n`;
}
