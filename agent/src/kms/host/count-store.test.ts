import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyHostCount, recordRequest, SimClock, VactError, type KmsHostState } from '@vact/shared';
import { CountStore, loadHostState } from './count-store';

describe('KMS host count store', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-count-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const stateWith = (n: number, now: number): KmsHostState => {
    let count = emptyHostCount();
    for (let i = 0; i < n; i++) count = recordRequest(count, { cmid: `c${i}`, threshold: 5, kind: 'server', now }).cache;
    return { count, clients: new Map() };
  };

  it('a missing file is a fresh host; a saved state loads back', () => {
    const file = path.join(dir, 'kms-count.json');
    assert.equal(loadHostState(file).count.entries.length, 0);
    const clock = new SimClock(1_800_000_000_000);
    const store = new CountStore(file, clock);
    store.update(stateWith(3, clock.now()));
    store.flush();
    assert.equal(loadHostState(file).count.entries.length, 3);
  });

  it('writes at most once a second, and the last state of a burst reaches the disk', () => {
    const file = path.join(dir, 'kms-count.json');
    const clock = new SimClock(1_800_000_000_000);
    const store = new CountStore(file, clock);
    store.update(stateWith(1, clock.now()));
    clock.advance(0);
    assert.equal(loadHostState(file).count.entries.length, 1, 'the first write is immediate');
    for (let i = 2; i <= 9; i++) store.update(stateWith(i, clock.now()));
    clock.advance(999);
    assert.equal(loadHostState(file).count.entries.length, 1, 'still inside the second');
    clock.advance(1);
    assert.equal(loadHostState(file).count.entries.length, 9);
    assert.equal(clock.pendingTimers, 0);
  });

  it('a corrupt file is STATE_CORRUPT naming the field, and is kept as it is', () => {
    const file = path.join(dir, 'kms-count.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, count: { version: 1, capacity: 'x', highestThreshold: 0, entries: [] }, clients: [] }));
    assert.throws(() => loadHostState(file), (e: unknown) => e instanceof VactError && e.code === 'STATE_CORRUPT' && /capacity/.test(e.message));
    assert.ok(fs.existsSync(file));
  });
  it('the count file has a strict schema: an unknown key is refused by name', () => {
    const file = path.join(dir, 'kms-count.json');
    const clock = new SimClock(1_800_000_000_000);
    const store = new CountStore(file, clock);
    store.update(stateWith(2, clock.now()));
    store.flush();
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { count: Record<string, unknown> };
    doc.count['extra'] = 1;
    fs.writeFileSync(file, JSON.stringify(doc));
    assert.throws(() => loadHostState(file), (e: unknown) => e instanceof VactError && e.code === 'STATE_CORRUPT' && /"count\.extra"/.test(e.message));
    fs.writeFileSync(file, JSON.stringify({ ...doc, version: 9 }));
    assert.throws(() => loadHostState(file), (e: unknown) => e instanceof VactError && e.code === 'STATE_VERSION_UNSUPPORTED');
  });
});
