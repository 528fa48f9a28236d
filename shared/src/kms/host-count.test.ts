// The KMS host count (DESIGN §3), including the planning guide's worked example.
import assert from 'node:assert/strict';
import { referenceCatalogue, thresholdFor } from '../catalogue/catalogue';
import { VactError } from '../errors/error-codes';
import { currentCount, emptyHostCount, liveEntries, parseHostCount, pruneHostCount, recordRequest, type HostCountCache } from './host-count';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const DAY = 86_400_000;
const CLIENT = 25;
const SERVER = 5;

/** Records a request and returns the count and whether the requester is activated. */
class Host {
  cache: HostCountCache = emptyHostCount();
  ask(cmid: string, kind: 'client' | 'server', now = T0): { count: number; activated: boolean } {
    const r = recordRequest(this.cache, { cmid, kind, threshold: kind === 'client' ? CLIENT : SERVER, now });
    this.cache = r.cache;
    return { count: r.count, activated: r.activated };
  }
}

describe('KMS host count (DESIGN §3)', () => {
  it('rule: KMS activation threshold is 25 for client editions and 5 for server editions (reference catalogue)', () => {
    const c = referenceCatalogue();
    for (const e of c.editions) assert.equal(thresholdFor(c, e.id), e.kind === 'client' ? CLIENT : SERVER, e.id);
  });

  it('the guide\'s worked example: clients 1, 2, a client VM 3, a server 4, none activated; a server activates at 5, a client at 25', () => {
    const h = new Host();
    assert.deepEqual(h.ask('client-1', 'client'), { count: 1, activated: false });
    assert.deepEqual(h.ask('client-2', 'client'), { count: 2, activated: false });
    assert.deepEqual(h.ask('client-vm-3', 'client'), { count: 3, activated: false });
    assert.deepEqual(h.ask('server-4', 'server'), { count: 4, activated: false });
    assert.deepEqual(h.ask('server-5', 'server'), { count: 5, activated: true });
    for (let i = 6; i < 25; i++) assert.deepEqual(h.ask(`client-${i}`, 'client'), { count: i, activated: false });
    assert.deepEqual(h.ask('client-25', 'client'), { count: 25, activated: true });
    // Earlier clients are activated on their next request (a renewal does not add to the count).
    assert.deepEqual(h.ask('client-1', 'client', T0 + 2 * 3_600_000), { count: 25, activated: true });
  });

  it('the guide\'s worked example: a host seen only by servers caches 10, then 50 once a client asks', () => {
    const h = new Host();
    for (let i = 1; i <= 15; i++) h.ask(`server-${i}`, 'server');
    assert.equal(h.cache.capacity, 10);
    assert.equal(currentCount(h.cache, T0), 10);
    assert.deepEqual(h.ask('server-16', 'server'), { count: 10, activated: true });
    assert.deepEqual(h.ask('client-1', 'client'), { count: 11, activated: false });
    assert.equal(h.cache.capacity, 50);
  });

  it('rule: CMID cache size is 2 x the highest threshold seen, never shrinks, and the count never exceeds it', () => {
    const h = new Host();
    h.ask('c', 'client');
    assert.equal(h.cache.capacity, 50);
    h.ask('s', 'server');
    assert.equal(h.cache.capacity, 50, 'a lower threshold never shrinks the cache');
    for (let i = 0; i < 80; i++) h.ask(`m-${i}`, 'client', T0 + i);
    assert.equal(h.cache.entries.length, 50);
    assert.equal(currentCount(h.cache, T0 + 100), 50);
    // The oldest were evicted.
    assert.equal(h.cache.entries[0].cmid, 'm-30');
  });

  it('rule: counts of clients and servers are one shared count', () => {
    const h = new Host();
    h.ask('c1', 'client');
    h.ask('c2', 'client');
    assert.deepEqual(h.ask('s1', 'server'), { count: 3, activated: false });
    h.ask('s2', 'server');
    assert.deepEqual(h.ask('s3', 'server'), { count: 5, activated: true });
  });

  it('rule: CMID cache entry lifetime is 30 days; the count is the distinct CMIDs of the last 30 days', () => {
    const h = new Host();
    h.ask('old', 'server', T0);
    h.ask('newer', 'server', T0 + 10 * DAY);
    assert.equal(currentCount(h.cache, T0 + 30 * DAY - 1), 2);
    assert.equal(currentCount(h.cache, T0 + 30 * DAY), 1);
    assert.deepEqual(h.ask('third', 'server', T0 + 30 * DAY), { count: 2, activated: false });
    assert.deepEqual(h.cache.entries.map((e) => e.cmid), ['newer', 'third']);
    assert.deepEqual(liveEntries(h.cache, T0 + 41 * DAY).map((e) => e.cmid), ['third']);
    assert.equal(pruneHostCount(h.cache, T0 + 61 * DAY).entries.length, 0);
    assert.equal(currentCount(h.cache, T0 + 30 * DAY, { lifetimeDays: 1 }), 1);
  });

  it('rule: a renewal removes the old entry and adds a fresh one (same CMID counts once, lives 30 more days)', () => {
    const h = new Host();
    h.ask('a', 'server', T0);
    h.ask('b', 'server', T0 + DAY);
    assert.deepEqual(h.ask('a', 'server', T0 + 7 * DAY), { count: 2, activated: false });
    assert.deepEqual(h.cache.entries.map((e) => [e.cmid, e.at]), [['b', T0 + DAY], ['a', T0 + 7 * DAY]]);
    assert.equal(currentCount(h.cache, T0 + 35 * DAY), 1, 'a is still live thanks to its renewal; b expired');
  });

  it('is plain JSON: a persisted count parses back to the same structure', () => {
    const h = new Host();
    h.ask('a', 'client');
    h.cache = recordRequest(h.cache, { cmid: 'b', kind: 'server', edition: 'server-standard', threshold: 5, now: T0 + 1 }).cache;
    const round = parseHostCount(JSON.parse(JSON.stringify(h.cache)));
    assert.deepEqual(round.toJSON(), h.cache.toJSON());
    assert.deepEqual(round.entries.map((e) => e.cmid), ['a', 'b']);
  });

  it('is a linear value: a request hands the entries on, and the superseded cache refuses use', () => {
    const first = recordRequest(emptyHostCount(), { cmid: 'a', kind: 'client', threshold: 25, now: T0 }).cache;
    const second = recordRequest(first, { cmid: 'b', kind: 'client', threshold: 25, now: T0 + 1 });
    assert.equal(second.count, 2);
    assert.throws(() => currentCount(first, T0), (e: unknown) => e instanceof VactError && e.code === 'INTERNAL');
    const pruned = pruneHostCount(second.cache, T0 + 2);
    assert.equal(currentCount(second.cache, T0 + 2), 2, 'pruning copies: the original stays usable');
    assert.equal(currentCount(pruned, T0 + 2), 2);
  });

  it('reports the CMIDs that left the cache (expired or evicted) and stays exact when the clock is set back', () => {
    let c = emptyHostCount();
    const ask = (cmid: string, now: number, threshold = 1): { count: number; dropped: string[] } => {
      const r = recordRequest(c, { cmid, kind: 'server', threshold, now });
      c = r.cache;
      return { count: r.count, dropped: r.dropped };
    };
    ask('a', T0);
    ask('b', T0 + DAY);
    assert.deepEqual(ask('c', T0 + 2 * DAY), { count: 2, dropped: ['a'] }, 'capacity 2: the oldest is evicted');
    assert.deepEqual(ask('d', T0 + 40 * DAY, 5), { count: 1, dropped: ['b', 'c'] }, 'both expired');
    // The clock goes back 20 days: d (at +40) outlives e (at +20), which is no longer the oldest by time.
    ask('e', T0 + 20 * DAY, 5);
    ask('f', T0 + 41 * DAY, 5);
    assert.deepEqual(ask('g', T0 + 51 * DAY, 5), { count: 3, dropped: ['e'] }, 'e expired although d, before it, is live');
    assert.equal(currentCount(c, T0 + 70 * DAY), 2);
    assert.equal(currentCount(c, T0 + 71 * DAY), 1);
  });

  it('refuses bad requests and corrupt persisted counts with a VactError', () => {
    const c = emptyHostCount();
    const bad = [
      { cmid: '', kind: 'client', threshold: 25, now: T0 },
      { cmid: 'x'.repeat(129), kind: 'client', threshold: 25, now: T0 },
      { cmid: 'a', kind: 'client', threshold: 0, now: T0 },
      { cmid: 'a', kind: 'client', threshold: 2.5, now: T0 },
      { cmid: 'a', kind: 'laptop', threshold: 25, now: T0 },
      { cmid: 'a', kind: 'client', threshold: 25, now: Number.NaN },
    ];
    for (const req of bad) assert.throws(() => recordRequest(c, req as never), (e: unknown) => e instanceof VactError && e.code === 'INVALID_REQUEST', JSON.stringify(req));
    assert.throws(() => recordRequest(c, { cmid: 'a', kind: 'client', threshold: 25, now: T0 }, { lifetimeDays: 0 }), (e: unknown) => e instanceof VactError && e.code === 'INVALID_CONFIG');
    const corrupt: unknown[] = [null, [], { version: 1, capacity: -1, highestThreshold: 0, entries: [] }, { version: 1, capacity: 2, highestThreshold: 1, entries: 'x' },
      { version: 1, capacity: 2, highestThreshold: 1, entries: [{ cmid: 'a', kind: 'x', at: 1 }] },
      { version: 1, capacity: 2, highestThreshold: 1, entries: [{ cmid: 'a', kind: 'client', at: 1, edition: 3 }] },
      { version: 1, capacity: 1, highestThreshold: 1, entries: [{ cmid: 'a', kind: 'client', at: 1 }, { cmid: 'b', kind: 'client', at: 2 }] },
      { version: 1, capacity: 2, highestThreshold: 'x', entries: [] }];
    for (const doc of corrupt) assert.throws(() => parseHostCount(doc), (e: unknown) => e instanceof VactError && e.code === 'STATE_CORRUPT', JSON.stringify(doc));
    assert.throws(() => parseHostCount({ version: 2 }), (e: unknown) => e instanceof VactError && e.code === 'STATE_VERSION_UNSUPPORTED');
  });
});
