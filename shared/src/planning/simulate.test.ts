// The rehearsal on a simulated clock: thresholds, clones, offline machines, host failure and DNS failover.
import assert from 'node:assert/strict';
import { referenceCatalogue } from '../catalogue/catalogue';
import { parseScenario, type Scenario } from './scenario';
import { simulate, type SimResult } from './simulate';

const c = referenceCatalogue();

function scenario(json: unknown): Scenario {
  const r = parseScenario(json, c);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.scenario;
}

const day = (r: SimResult, d: number) => r.series[d];

describe('vact simulate: a fleet on a simulated clock', () => {
  it('30 clients reach the threshold and stay Licensed for a year; 20 clients stay in grace, then Notification', () => {
    const ok = simulate(scenario({ hosts: [{ name: 'kms1' }], groups: [{ name: 'lab', count: 30, edition: 'client-enterprise' }] }), c);
    assert.equal(ok.series.length, 365);
    // Machines 25..30 of the first batch see counts 25..30; the first 24 fail, retry two hours later and see 30.
    assert.equal(day(ok, 0).failures, 24);
    assert.equal(day(ok, 0).activations, 30);
    assert.equal(day(ok, 0).states.Licensed, 30);
    assert.equal(day(ok, 364).states.Licensed, 30);
    assert.equal(day(ok, 364).hosts.kms1.count, 30);
    assert.equal(day(ok, 364).hosts.kms1.threshold, 25);
    const low = simulate(scenario({ hosts: [{ name: 'kms1' }], groups: [{ name: 'lab', count: 20, edition: 'client-enterprise' }] }), c, { days: 40 });
    assert.equal(day(low, 28).states.InitialGrace, 20);
    assert.equal(day(low, 30).states.Notification, 20);
    assert.equal(day(low, 30).hosts.kms1.count, 20);
  });

  it('machines joining over time: the first 24 wait in grace until the 25th joins', () => {
    const r = simulate(scenario({ hosts: [{ name: 'kms1' }], groups: [{ name: 'lab', count: 40, edition: 'client-professional', joinOverDays: 40 }] }), c, { days: 60 });
    assert.equal(day(r, 23).states.Licensed, 0);
    assert.equal(day(r, 23).states.InitialGrace, 24);
    assert.equal(day(r, 24).states.Licensed, 25);
    assert.equal(day(r, 45).states.Licensed, 40);
  });

  it('servers share the count with clients: 5 servers activate at 5, clients wait for 25', () => {
    const r = simulate(scenario({ hosts: [{ name: 'kms1' }], groups: [{ name: 'srv', count: 5, edition: 'server-standard' }, { name: 'desk', count: 20, edition: 'client-enterprise', joinDay: 3 }] }), c, { days: 10 });
    assert.equal(day(r, 0).failures, 4); // only the 5th server saw 5; the others retried two hours later
    assert.equal(day(r, 0).states.Licensed, 5);
    assert.equal(day(r, 2).states.Licensed, 5);
    assert.equal(day(r, 3).states.InitialGrace, 0); // 5 + 20 = 25: the clients activate too
    assert.equal(day(r, 3).states.Licensed, 25);
  });

  it('VM clones without CMID regeneration count once; with it they count each', () => {
    const base = { name: 'vdi', count: 10, edition: 'client-enterprise' };
    const without = simulate(scenario({ hosts: [{ name: 'kms1' }], groups: [{ ...base, clones: [{ day: 1, count: 30, regenerateCmid: false }] }] }), c, { days: 5 });
    assert.equal(day(without, 4).hosts.kms1.count, 11);
    assert.equal(day(without, 4).states.Licensed, 0);
    const withNew = simulate(scenario({ hosts: [{ name: 'kms1' }], groups: [{ ...base, clones: [{ day: 1, count: 30, regenerateCmid: true }] }] }), c, { days: 5 });
    assert.equal(day(withNew, 4).hosts.kms1.count, 40);
    assert.equal(day(withNew, 4).states.Licensed, 40);
  });

  it('machines offline beyond the 180-day validity fall into out-of-tolerance grace and recover on return', () => {
    const r = simulate(scenario({ hosts: [{ name: 'kms1' }], groups: [
      { name: 'desks', count: 50, edition: 'client-enterprise' },
      { name: 'laptops', count: 10, edition: 'client-professional', offline: [{ day: 10, days: 200 }] },
    ] }), c, { days: 240 });
    assert.equal(day(r, 9).states.Licensed, 60);
    assert.equal(day(r, 150).states.Licensed, 60); // still valid: 180 days from the last renewal (day 7)
    assert.equal(day(r, 190).states.OutOfToleranceGrace, 10);
    assert.equal(day(r, 211).states.Licensed, 60);
  });

  it('a host failing: clients fail over by DNS priority and stay with the host that answered', () => {
    const r = simulate(scenario({
      hosts: [{ name: 'kms1', priority: 0, outages: [{ day: 20, days: 30 }] }, { name: 'kms2', priority: 10 }],
      groups: [{ name: 'lab', count: 60, edition: 'client-enterprise' }],
    }), c, { days: 120 });
    assert.equal(day(r, 10).hosts.kms1.count, 50); // the count never exceeds the cache (2 x 25)
    assert.equal(day(r, 10).hosts.kms2.count, 0);
    assert.equal(day(r, 25).hosts.kms1.up, false);
    assert.equal(day(r, 30).hosts.kms2.count, 50); // renewals moved to kms2 and activated there
    assert.equal(day(r, 30).states.Licensed, 60);
    assert.equal(day(r, 100).hosts.kms2.count, 50); // cached: they stay on kms2 after kms1 is back
    assert.equal(day(r, 100).hosts.kms1.count, 0);
  });

  it('all hosts down for longer than the validity: machines lapse, then reactivate when one returns', () => {
    const r = simulate(scenario({ hosts: [{ name: 'kms1', outages: [{ day: 5, days: 200 }] }], groups: [{ name: 'lab', count: 30, edition: 'client-enterprise' }] }), c, { days: 240 });
    assert.equal(day(r, 100).states.Licensed, 30);
    assert.equal(day(r, 185).states.OutOfToleranceGrace, 30);
    assert.equal(day(r, 215).states.Notification + day(r, 215).states.Licensed, 30);
    assert.equal(day(r, 239).states.Licensed, 30);
  });

  it('weights split a cohort between hosts of one priority', () => {
    const r = simulate(scenario({ hosts: [{ name: 'a', weight: 60 }, { name: 'b', weight: 40 }], groups: [{ name: 'lab', count: 100, edition: 'client-enterprise' }] }), c, { days: 3 });
    assert.equal(day(r, 2).hosts.a.count, 50); // 60 machines, the cache holds 2 x 25
    assert.equal(day(r, 2).hosts.b.count, 40);
    assert.equal(day(r, 2).states.Licensed, 100);
  });

  it('MAK machines activate at once; a lab never activated is rearmed and rebuilt within 120 days', () => {
    const r = simulate(scenario({ groups: [
      { name: 'mak', count: 12, edition: 'client-professional', method: 'MAK' },
      { name: 'test-lab', count: 30, edition: 'client-enterprise', method: 'none', rearmEveryDays: 29, rebuildEveryDays: 116 },
    ] }), c, { days: 365 });
    assert.equal(day(r, 0).states.Licensed, 12);
    for (const d of [0, 28, 29, 100, 115, 116, 200, 364]) assert.equal(day(r, d).states.InitialGrace, 30, `day ${d}`);
  });

  it('reports every bad scenario field by its path', () => {
    const bad = parseScenario({ hosts: [{ name: 'k' }, { name: 'k', weight: -1 }], groups: [{ name: 'g', count: 0, edition: 'nope', host: 'x', colour: 1 }] }, c);
    assert.ok(!bad.ok);
    const paths = bad.problems.map((p) => p.path);
    assert.ok(paths.includes('hosts[1].weight'), paths.join());
    assert.ok(paths.includes('groups[0].count'), paths.join());
    assert.ok(paths.some((p) => p.startsWith('groups[0]') && /colour/.test(bad.problems.find((x) => x.path === p)!.reason)), paths.join());
    const bad2 = parseScenario({ hosts: [{ name: 'k' }, { name: 'k' }], groups: [{ name: 'g', count: 1, edition: 'nope', host: 'x' }] }, c);
    assert.ok(!bad2.ok);
    assert.deepEqual(bad2.problems.map((p) => p.path), ['hosts[1].name', 'groups[0].edition', 'groups[0].host']);
  });
});
