import assert from 'node:assert/strict';
import { referenceCatalogue } from '../catalogue/catalogue';
import { parseCsv } from './csv';
import { inventoryFromCsv } from './inventory';
import { computePlan } from './plan';
import { scenarioFromPlan } from './plan-scenario';
import { simulate } from './simulate';

const c = referenceCatalogue();

describe('vact plan --simulate: the plan as a scenario', () => {
  it('zones get their hosts, roaming rows go offline between connections, a rebuilt lab is rearmed', () => {
    const inv = inventoryFromCsv(parseCsv(`name,count,edition,vm,zone,reaches_core_kms,connects_every_days,internet,needs_activation
desks,1200,client-enterprise,no,core,yes,1,yes,yes
roaming,40,client-professional,no,core,yes,30,yes,yes
far,30,client-enterprise,no,far,no,1,yes,yes
lab,20,client-enterprise,yes,lab,no,1,no,no
`).records, c);
    assert.ok(inv.ok);
    const plan = computePlan(inv.rows, c);
    const s = scenarioFromPlan(plan, inv.rows, c, 200);
    assert.deepEqual(s.hosts.map((h) => h.name), ['core-kms1', 'core-kms2', 'far-kms1']);
    const g = (n: string) => s.groups.find((x) => x.name === n)!;
    assert.deepEqual(g('far').dns, ['far-kms1']);
    assert.equal(g('roaming').offline[0].days, 29);
    assert.deepEqual([g('lab').method, g('lab').rearmEveryDays, g('lab').rebuildEveryDays], ['none', 29, 116]);
    const r = simulate(s, c);
    const end = r.series[199];
    assert.equal(end.states.Licensed, 1270);
    assert.equal(end.states.InitialGrace, 20);
    assert.equal(end.hosts['far-kms1'].count, 30);
  });
});
