// recordBatch must be exactly the shared count's answer for the same requests one by one.
import assert from 'node:assert/strict';
import { emptyHostCount, recordRequest, type HostCountCache } from '../kms/host-count';
import { recordBatch } from './kms-batch';
import { EventQueue } from './event-queue';

const DAY = 86_400_000;

/** The reference: every machine of the batch recorded in turn. */
function oneByOne(cache: HostCountCache, size: number, cmid: (i: number) => string, threshold: number, now: number) {
  let c = cache;
  const counts: number[] = [];
  for (let i = 0; i < size; i++) {
    const r = recordRequest(c, { cmid: cmid(i), threshold, kind: 'client', edition: 'e', now });
    c = r.cache;
    counts.push(r.count);
  }
  return { cache: c, counts };
}

describe('KMS batch of identical machines', () => {
  const starts: [string, () => HostCountCache][] = [
    ['an empty host', () => emptyHostCount()],
    ['a host with 20 other machines', () => oneByOne(emptyHostCount(), 20, (i) => `other:${i}`, 25, 0).cache],
    ['a host with stale entries', () => oneByOne(emptyHostCount(), 40, (i) => `old:${i}`, 25, -31 * DAY).cache],
    ['a host that already counted this batch (renewal)', () => oneByOne(emptyHostCount(), 70, (i) => `b:${i}`, 25, -7 * DAY).cache],
  ];
  for (const [what, start] of starts) {
    it(`gives the same cache and outcome as one request at a time, on ${what}`, () => {
      for (const size of [1, 2, 5, 24, 25, 26, 49, 50, 51, 75, 99, 100, 101, 130]) {
        for (const threshold of [5, 25]) {
          const cmid = (i: number): string => `b:${i}`;
          const ref = oneByOne(start(), size, cmid, threshold, 0);
          const got = recordBatch(start(), { cmid, size, sharedCmid: false, threshold, kind: 'client', edition: 'e', now: 0 });
          assert.deepEqual(got.cache.toJSON(), ref.cache.toJSON(), `size ${size}, threshold ${threshold}`);
          const first = ref.counts.findIndex((n) => n >= threshold);
          assert.equal(got.firstActivated, first < 0 ? size : first, `size ${size}, threshold ${threshold}`);
          if (first !== 0) assert.equal(got.failedCount, ref.counts[(first < 0 ? size : first) - 1]);
          if (first >= 0) assert.equal(got.activatedCount, ref.counts[size - 1]);
        }
      }
    });
  }

  it('clones sharing one CMID count once', () => {
    const got = recordBatch(emptyHostCount(), { cmid: () => 'image', size: 40, sharedCmid: true, threshold: 25, kind: 'client', edition: 'e', now: 0 });
    assert.equal(got.cache.entries.length, 1);
    assert.equal(got.firstActivated, 40);
  });

  it('the event queue runs by time, then in the order queued', () => {
    const q = new EventQueue<string>();
    for (const [t, v] of [[5, 'a'], [1, 'b'], [5, 'c'], [3, 'd'], [1, 'e']] as const) q.push(t, v);
    const out: string[] = [];
    while (q.size > 0) out.push(q.pop()!.item);
    assert.deepEqual(out, ['b', 'e', 'd', 'a', 'c']);
    assert.equal(q.pop(), undefined);
    assert.equal(q.peekTime(), Infinity);
  });
});
