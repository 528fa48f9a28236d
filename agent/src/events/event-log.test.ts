import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventLog } from './event-log';

describe('event log (JSON lines, rotation, query)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-events-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends events with increasing sequence numbers that survive a reopen', () => {
    const log = new EventLog(dir);
    log.append({ time: 1000, id: 12288, message: 'sent' });
    log.append({ time: 2000, id: 12289, message: 'got', data: { ok: true } });
    const again = new EventLog(dir);
    const rec = again.append({ time: 3000, id: 12400, message: 'third' });
    assert.equal(rec.seq, 3);
    assert.deepEqual(again.query().map((e) => e.seq), [1, 2, 3]);
  });

  it('queries by time range, ids and limit (newest N, oldest first)', () => {
    const log = new EventLog(dir);
    for (let i = 0; i < 10; i++) log.append({ time: i * 1000, id: i % 2 ? 12289 : 12288, message: `e${i}` });
    assert.deepEqual(log.query({ since: 7000 }).map((e) => e.message), ['e7', 'e8', 'e9']);
    assert.deepEqual(log.query({ until: 1000 }).map((e) => e.message), ['e0', 'e1']);
    assert.deepEqual(log.query({ ids: [12289], limit: 2 }).map((e) => e.message), ['e7', 'e9']);
  });

  it('rotates by size, keeps a bounded number of files and still queries across them', () => {
    const log = new EventLog(dir, { maxBytes: 400, keep: 2 });
    for (let i = 0; i < 40; i++) log.append({ time: i, id: 12400, message: `event number ${i}` });
    const files = fs.readdirSync(dir).sort();
    assert.deepEqual(files, ['events.1.jsonl', 'events.2.jsonl', 'events.jsonl']);
    const all = log.query();
    assert.equal(all[all.length - 1].message, 'event number 39');
    assert.ok(all.length < 40, 'the oldest rotated file was dropped');
    for (let i = 1; i < all.length; i++) assert.equal(all[i].seq, all[i - 1].seq + 1);
  });

  it('skips a line torn by a crash', () => {
    const log = new EventLog(dir);
    log.append({ time: 1, id: 1, message: 'ok' });
    fs.appendFileSync(log.file, '{"seq":2,"ti');
    assert.deepEqual(new EventLog(dir).query().map((e) => e.message), ['ok']);
  });
});
