// `vact plan` and `vact simulate` through the real CLI: the JSON interface, bad input, outputs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRANCH_INVENTORY, FAILOVER_SCENARIO_YAML, vact } from './testing/fixtures';

describe('vact plan / vact simulate (real CLI)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vact-plan-'));
    writeFileSync(join(dir, 'branch.csv'), BRANCH_INVENTORY);
    writeFileSync(join(dir, 'failover.yaml'), FAILOVER_SCENARIO_YAML);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json has rows, totals, zones, keys and warnings as documented', async () => {
    const r = await vact('plan', join(dir, 'branch.csv'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const p = JSON.parse(r.stdout) as Record<string, unknown[]> & { totals: Record<string, number> };
    const row = (n: string) => (p.rows as { name: string }[]).find((x) => x.name === n) as Record<string, unknown>;
    assert.deepEqual(Object.keys(row('site-a')).filter((k) => ['name', 'count', 'method', 'kmsHostZone', 'reason'].includes(k)).sort(), ['count', 'kmsHostZone', 'method', 'name', 'reason']);
    assert.deepEqual([row('site-a').method, row('site-a').kmsHostZone], ['KMS', 'site-a']);
    assert.deepEqual([row('site-b').method, row('site-b').kmsHostZone], ['MAK', null]);
    assert.deepEqual([row('site-c').method, row('site-c').kmsHostZone], ['KMS', 'core']);
    assert.deepEqual([row('laptops-30').method, row('laptops-never').method, row('test-lab').method], ['KMS', 'MAK', 'none']);
    assert.deepEqual(p.totals, { KMS: 508, MAK: 20, none: 25, total: 553, remaining: 0 });
    assert.deepEqual((p.zones as { zone: string; localKmsHosts: number }[]).map((z) => [z.zone, z.localKmsHosts]), [['core', 1], ['lab', 0], ['site-a', 1], ['site-b', 0], ['site-c', 0]]);
    assert.deepEqual((p.keys as { type: string; group: string; zone: string | null }[]).map((k) => [k.type, k.group, k.zone]), [['kms-host', 'server-b', 'core'], ['kms-host', 'client-vl', 'site-a'], ['mak', 'client-vl', null]]);
    assert.deepEqual((p.warnings as { kind: string }[]).map((w) => w.kind).sort(), ['below-threshold', 'beyond-validity', 'server-host']);
  });

  it('the human table, --csv and --html', async () => {
    const html = join(dir, 'plan.html');
    const text = await vact('plan', join(dir, 'branch.csv'), '--html', html);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Activation method worksheet \(Table 2\)[\s\S]*remaining 0[\s\S]*Zones and KMS hosts \(Table 1\)[\s\S]*Keys \(Tables 3-5\)[\s\S]*Warnings/);
    assert.doesNotMatch(readFileSync(html, 'utf8'), /(src|href)="https?:/);
    const csv = await vact('plan', join(dir, 'branch.csv'), '--csv');
    assert.equal(csv.stdout.split('\n')[0], 'name,count,edition,zone,method,mak_mode,kms_host_zone,reason');
    assert.match(csv.stdout, /\nsite-b,12,client-professional,site-b,MAK,independent,,/);
  });

  it('a bad inventory: every bad row with line, column and reason, exit 2, no plan printed', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${BRANCH_INVENTORY.split('\n')[0]}\nok,10,client-enterprise,no,core,yes,7,yes,yes\nx,-3,client-enterprise,no,core,yes,7,yes,yes\ny,3,nope,no,core,perhaps,7,yes,yes\n`);
    const r = await vact('plan', bad);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /bad\.csv:3: count: must be a whole number/);
    assert.match(r.stderr, /bad\.csv:4: edition: "nope" is not an edition/);
    assert.match(r.stderr, /bad\.csv:4: reaches_core_kms: must be yes or no/);
    const j = await vact('plan', bad, '--json');
    assert.equal(j.code, 2);
    assert.deepEqual((JSON.parse(j.stdout) as { problems: { line: number; column: string }[] }).problems.map((p) => `${p.line}:${p.column}`), ['3:count', '4:edition', '4:reaches_core_kms']);
    const missing = await vact('plan', join(dir, 'none.csv'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file/);
  });

  it('vact simulate: a YAML scenario, the day-by-day summary, --json series and the SVG', async () => {
    const svg = join(dir, 'chart.svg');
    const r = await vact('simulate', join(dir, 'failover.yaml'), '--svg', svg);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /failover rehearsal: 76 machines, 120 days/);
    assert.equal(lines.filter((l) => /^ {2}\d+ {2,}\d{4}-\d{2}-\d{2}/.test(l)).length, 120);
    assert.match(r.stdout, /DOWN/);
    assert.match(readFileSync(svg, 'utf8'), /^<svg /);
    const j = await vact('simulate', join(dir, 'failover.yaml'), '--json', '--days', '60');
    const series = (JSON.parse(j.stdout) as { series: { day: number; hosts: Record<string, { count: number; up: boolean }> }[] }).series;
    assert.equal(series.length, 60);
    assert.equal(series[35].hosts.kms1.up, false);
    assert.ok(series[45].hosts.kms2.count >= 25, 'the fleet failed over to kms2');
  });

  it('vact simulate: a bad scenario names every bad field, exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ hosts: [{ name: 'k', weight: 'heavy' }], groups: [{ name: 'g', count: 0, edition: 'client-enterprise' }] }));
    const r = await vact('simulate', bad, '--json');
    assert.equal(r.code, 2);
    const problems = (JSON.parse(r.stdout) as { problems: { column: string }[] }).problems.map((p) => p.column);
    assert.deepEqual(problems.sort(), ['groups[0].count', 'hosts[0].weight']);
    writeFileSync(bad, '{ "groups": [ }');
    const syntax = await vact('simulate', bad);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /not valid JSON/);
    const days = await vact('simulate', join(dir, 'failover.yaml'), '--days', '0');
    assert.equal(days.code, 2);
  });

  it('vact plan --simulate rehearses the plan for a year', async () => {
    const r = await vact('plan', join(dir, 'branch.csv'), '--simulate', '--json');
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { machines: number; series: { states: Record<string, number>; hosts: Record<string, unknown> }[] };
    assert.equal(res.machines, 553);
    assert.equal(res.series.length, 365);
    assert.deepEqual(Object.keys(res.series[0].hosts), ['core-kms1', 'site-a-kms1']);
    const end = res.series[364].states;
    assert.equal(end.Notification + end.OutOfToleranceGrace, 0, JSON.stringify(end));
    assert.equal(end.InitialGrace, 25); // the test lab: rearmed and rebuilt, never activated
  });
});
