// The planning guide's scenarios, each as an inventory and the plan the guide arrives at.
import assert from 'node:assert/strict';
import { referenceCatalogue } from '../catalogue/catalogue';
import { parseCsv } from './csv';
import { inventoryFromCsv, type InventoryRow } from './inventory';
import { computePlan, type Plan } from './plan';

const HEADER = 'name,count,edition,vm,zone,reaches_core_kms,connects_every_days,internet,needs_activation';
const c = referenceCatalogue();

/** Plans CSV body lines (the header is added). */
function plan(...lines: string[]): Plan {
  const res = inventoryFromCsv(parseCsv([HEADER, ...lines].join('\n')).records, c);
  if (!res.ok) throw new Error(JSON.stringify(res.problems));
  return computePlan(res.rows, c);
}

function row(p: Plan, name: string): Plan['rows'][number] {
  const r = p.rows.find((x) => x.name === name);
  assert.ok(r, `row ${name}`);
  return r;
}

describe('vact plan: the planning guide scenarios', () => {
  it('branch offices: site A a local KMS host (> 25 clients), site B MAK (< 25), site C KMS over the WAN', () => {
    const p = plan(
      'hq-desktops,400,client-enterprise,no,core,yes,1,yes,yes',
      'hq-servers,20,server-standard,no,core,yes,1,yes,yes',
      'site-a,40,client-professional,no,site-a,no,1,yes,yes',
      'site-b,12,client-professional,no,site-b,no,1,yes,yes',
      'site-c,18,client-professional,no,site-c,yes,1,yes,yes',
    );
    assert.deepEqual([row(p, 'site-a').method, row(p, 'site-a').kmsHostZone], ['KMS', 'site-a']);
    assert.deepEqual([row(p, 'site-b').method, row(p, 'site-b').kmsHostZone, row(p, 'site-b').makMode], ['MAK', null, 'independent']);
    assert.deepEqual([row(p, 'site-c').method, row(p, 'site-c').kmsHostZone], ['KMS', 'core']);
    assert.deepEqual(p.totals, { KMS: 478, MAK: 12, none: 0, total: 490, remaining: 0 });
    const zone = (z: string) => p.zones.find((x) => x.zone === z)!;
    assert.equal(zone('core').localKmsHosts, 1); // 438 machines: medium, one host or more
    assert.equal(zone('core').size, 'medium');
    assert.equal(zone('site-a').localKmsHosts, 1);
    assert.equal(zone('site-b').localKmsHosts, 0);
    assert.equal(zone('site-c').localKmsHosts, 0);
    // The core hosts serve servers too: the least inclusive key is Server Group B, on a server edition.
    assert.deepEqual(p.keys.filter((k) => k.type === 'kms-host').map((k) => [k.zone, k.group, k.installableOn]), [
      ['core', 'server-b', 'server editions only'],
      ['site-a', 'client-vl', 'client or server editions'],
    ]);
    assert.deepEqual(p.keys.filter((k) => k.type === 'mak').map((k) => [k.group, k.machines, k.zones]), [['client-vl', 12, ['site-b']]]);
    assert.ok(p.warnings.some((w) => w.kind === 'below-threshold' && w.zone === 'site-b'));
    assert.ok(p.warnings.some((w) => w.kind === 'server-host' && w.zone === 'core'));
  });

  it('the high-security zone: MAK without the firewall exception, core KMS with it', () => {
    const core = 'core-desktops,300,client-enterprise,no,core,yes,1,yes,yes';
    const closed = plan(core, 'secure,15,server-datacenter,no,secure,no,1,no,yes');
    // 15 servers meet the server threshold of 5 on their own: a local host, with a Group C key.
    assert.deepEqual([row(closed, 'secure').method, row(closed, 'secure').kmsHostZone], ['KMS', 'secure']);
    assert.deepEqual(closed.keys.filter((k) => k.zone === 'secure').map((k) => [k.group, k.installableOn]), [['server-c', 'server editions only']]);
    const small = plan(core, 'secure,3,server-datacenter,no,secure,no,1,no,yes');
    assert.deepEqual([row(small, 'secure').method, row(small, 'secure').makMode], ['MAK', 'proxy-or-phone']);
    assert.ok(small.warnings.some((w) => w.kind === 'below-threshold' && w.zone === 'secure'));
    const open = plan(core, 'secure,3,server-datacenter,no,secure,yes,1,no,yes');
    assert.deepEqual([row(open, 'secure').method, row(open, 'secure').kmsHostZone], ['KMS', 'core']);
    assert.equal(open.keys.find((k) => k.zone === 'core')?.group, 'server-c');
    assert.equal(open.totals.remaining, 0);
  });

  it('the test lab rebuilt within 120 days needs no activation', () => {
    const p = plan('core-desktops,100,client-enterprise,no,core,yes,1,yes,yes', 'test-lab,30,client-enterprise,yes,lab,no,1,no,no');
    assert.equal(row(p, 'test-lab').method, 'none');
    assert.equal(row(p, 'test-lab').kmsHostZone, null);
    assert.match(row(p, 'test-lab').reason, /120 days: 30-day grace plus 3 rearms/);
    assert.deepEqual(p.totals, { KMS: 100, MAK: 0, none: 30, total: 130, remaining: 0 });
    assert.equal(p.zones.find((z) => z.zone === 'lab')?.localKmsHosts, 0);
  });

  it('roaming laptops: every 30 days is KMS, never is MAK with a warning', () => {
    const p = plan(
      'desktops,50,client-enterprise,no,core,yes,1,yes,yes',
      'laptops-30,20,client-professional,no,core,yes,30,yes,yes',
      'laptops-never,10,client-professional,no,core,yes,never,yes,yes',
      'laptops-200,5,client-professional,no,core,yes,200,no,yes',
    );
    assert.deepEqual([row(p, 'laptops-30').method, row(p, 'laptops-30').kmsHostZone], ['KMS', 'core']);
    assert.equal(row(p, 'laptops-never').method, 'MAK');
    assert.equal(row(p, 'laptops-never').makMode, 'independent');
    assert.equal(row(p, 'laptops-200').makMode, 'proxy-or-phone');
    const w = p.warnings.find((x) => x.kind === 'beyond-validity');
    assert.deepEqual(w?.rows, ['laptops-never', 'laptops-200']);
    assert.deepEqual(p.totals, { KMS: 70, MAK: 15, none: 0, total: 85, remaining: 0 });
  });

  it('clients and servers share one count: 22 clients + 4 servers reach 26, both activate', () => {
    const p = plan('desks,22,client-enterprise,no,core,yes,1,yes,yes', 'srv,4,server-standard,no,core,yes,1,yes,yes');
    assert.deepEqual(p.rows.map((r) => r.method), ['KMS', 'KMS']);
    // 20 clients + 4 servers = 24: the clients miss 25 and leave; 4 servers alone miss 5, so they leave too.
    const q = plan('desks,20,client-enterprise,no,core,yes,1,yes,yes', 'srv,4,server-standard,no,core,yes,1,yes,yes');
    assert.deepEqual(q.rows.map((r) => r.method), ['MAK', 'MAK']);
    const s = plan('desks,20,client-enterprise,no,core,yes,1,yes,yes', 'srv,6,server-standard,no,core,yes,1,yes,yes');
    assert.deepEqual(s.rows.map((r) => r.method), ['KMS', 'KMS']);
    const t = plan('desks,10,client-enterprise,no,core,yes,1,yes,yes', 'srv,6,server-standard,no,core,yes,1,yes,yes');
    assert.deepEqual(t.rows.map((r) => r.method), ['MAK', 'KMS']);
  });

  it('Table 1: an enterprise network (1000 machines or more) gets two hosts for failover; small gets one', () => {
    assert.equal(plan('d,1000,client-enterprise,no,core,yes,1,yes,yes').zones[0].localKmsHosts, 2);
    assert.equal(plan('d,1000,client-enterprise,no,core,yes,1,yes,yes').zones[0].size, 'enterprise');
    assert.equal(plan('d,99,client-enterprise,no,core,yes,1,yes,yes').zones[0].size, 'small');
  });

  it('warns about a small KMS pool of VMs (the CMID cache) and about more hosts than a host key allows', () => {
    const p = plan('vdi,30,client-enterprise,yes,core,yes,1,yes,yes');
    assert.ok(p.warnings.some((w) => w.kind === 'cmid-cache' && w.rows[0] === 'vdi'));
    assert.ok(!plan('vdi,60,client-enterprise,yes,core,yes,1,yes,yes').warnings.some((w) => w.kind === 'cmid-cache'));
    const zones = Array.from({ length: 4 }, (_, i) => `z${i},1000,client-enterprise,no,z${i},no,1,yes,yes`);
    assert.ok(plan(...zones).warnings.some((w) => w.kind === 'host-key-limit'));
  });

  it('a row of the inventory is not changed by planning', () => {
    const res = inventoryFromCsv(parseCsv(`${HEADER}\nd,30,client-enterprise,no,core,yes,1,yes,yes`).records, c);
    assert.ok(res.ok);
    const before: InventoryRow[] = structuredClone(res.rows);
    computePlan(res.rows, c);
    assert.deepEqual(res.rows, before);
  });
});
