import assert from 'node:assert/strict';
import { referenceCatalogue } from '../catalogue/catalogue';
import { csvCell, parseCsv } from './csv';
import { inventoryFromCsv, inventoryFromJson } from './inventory';

const HEADER = 'name,count,edition,vm,zone,reaches_core_kms,connects_every_days,internet,needs_activation';
const c = referenceCatalogue();

describe('planning inventory', () => {
  it('reads quoted CSV cells, CRLF, comments and blank lines, keeping line numbers', () => {
    const { records, problems } = parseCsv('# comment\r\na,"b, ""c"""\r\n\r\n"multi\nline",x\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(records, [{ line: 2, cells: ['a', 'b, "c"'] }, { line: 4, cells: ['multi\nline', 'x'] }]);
    assert.equal(parseCsv('"open\n').problems[0].line, 1);
    assert.equal(csvCell('a,b'), '"a,b"');
  });

  it('reports every bad row with its line, column and reason', () => {
    const text = [
      HEADER,
      'ok,10,client-enterprise,no,core,yes,7,yes,yes',
      'bad-count,0,client-enterprise,no,core,yes,7,yes,yes',
      'bad-edition,3,windows-7,maybe,core,yes,soon,yes,yes',
      'ok,1,server-web,no,z,no,7,yes,yes',
      'short,1,server-web',
      'z2,1,server-web,no,z,yes,7,yes,yes',
    ].join('\n');
    const res = inventoryFromCsv(parseCsv(text).records, c);
    assert.ok(!res.ok);
    const got = res.problems.map((p) => `${p.line}:${p.column}`);
    assert.deepEqual(got, ['3:count', '4:edition', '4:vm', '4:connects_every_days', '5:name', '6:', '7:reaches_core_kms']);
    assert.match(res.problems[0].reason, /whole number from 1/);
  });

  it('rejects a header with unknown or missing columns', () => {
    const res = inventoryFromCsv(parseCsv('name,count,colour\nx,1,red').records, c);
    assert.ok(!res.ok);
    assert.ok(res.problems.some((p) => p.column === 'colour' && /unknown column/.test(p.reason)));
    assert.ok(res.problems.some((p) => p.column === 'edition' && /missing/.test(p.reason)));
    assert.ok(!inventoryFromCsv([], c).ok);
    assert.ok(!inventoryFromCsv(parseCsv(HEADER).records, c).ok);
  });

  it('reads the same inventory as JSON, with booleans and numbers', () => {
    const res = inventoryFromJson([{ name: 'a', count: 30, edition: 'client-enterprise', vm: false, zone: 'core', reaches_core_kms: true, connects_every_days: 'never', internet: 'yes', needs_activation: true }], c);
    assert.ok(res.ok);
    assert.equal(res.rows[0].connectsEveryDays, null);
    const bad = inventoryFromJson({ rows: [{ name: 'a', count: '30', colour: 1 }, 7] }, c);
    assert.ok(!bad.ok);
    assert.ok(bad.problems.some((p) => p.line === 1 && p.column === 'colour'));
    assert.ok(bad.problems.some((p) => p.line === 2 && /object/.test(p.reason)));
    assert.ok(!inventoryFromJson('x', c).ok);
  });
});
