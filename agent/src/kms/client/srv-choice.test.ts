import assert from 'node:assert/strict';
import { orderSrv, type SrvRecord } from './srv-choice';

const rec = (name: string, priority: number, weight: number): SrvRecord => ({ name, port: 1688, priority, weight });

/** Random source replaying fixed values. */
const seq = (...v: number[]) => () => v.shift() ?? 0;

describe('RFC 2782 SRV choice', () => {
  it('lowest priority first, whatever the weights', () => {
    const out = orderSrv([rec('c', 30, 100), rec('a', 10, 0), rec('b', 20, 1000)], seq());
    assert.deepEqual(out.map((r) => r.name), ['a', 'b', 'c']);
  });

  it('within a priority, weighted by the running sum (r = 0..total)', () => {
    const group = [rec('x', 10, 60), rec('y', 10, 40)];
    // total 100: r <= 60 picks x, r > 60 picks y
    assert.deepEqual(orderSrv(group, seq(0.6)).map((r) => r.name), ['x', 'y']);
    assert.deepEqual(orderSrv(group, seq(0.61)).map((r) => r.name), ['y', 'x']);
    assert.deepEqual(orderSrv(group, seq(0.999)).map((r) => r.name), ['y', 'x']);
  });

  it('over many draws the shares follow the weights', () => {
    let s = 1;
    const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
    let first = 0;
    for (let i = 0; i < 10_000; i++) if (orderSrv([rec('x', 0, 75), rec('y', 0, 25)], rnd)[0].name === 'x') first++;
    assert.ok(first > 7200 && first < 7800, String(first));
  });

  it('zero-weight records are chosen last unless r is 0, and "." means no service', () => {
    assert.deepEqual(orderSrv([rec('z', 1, 0), rec('w', 1, 5)], seq(0.9)).map((r) => r.name), ['w', 'z']);
    assert.deepEqual(orderSrv([rec('z', 1, 0), rec('w', 1, 5)], seq(0)).map((r) => r.name), ['z', 'w']);
    assert.deepEqual(orderSrv([rec('.', 0, 0)]), []);
  });
});
