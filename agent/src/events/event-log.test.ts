import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventLog } from './event-log';
import { linesFromEnd } from './tail-lines';

/** The fs module object itself: the compiled `import * as fs` is a read-only view of it. */
const nodeFs = createRequire(__filename)('node:fs') as Record<'readFileSync' | 'fsyncSync', (...a: unknown[]) => unknown>;

function patched<K extends 'readFileSync' | 'fsyncSync', T>(name: K, fn: (...a: unknown[]) => unknown, body: () => T): T {
  const real = nodeFs[name];
  nodeFs[name] = fn;
  try {
    return body();
  } finally {
    nodeFs[name] = real;
  }
}

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

  it('fsyncs every appended event, as the comment promises', () => {
    const log = new EventLog(dir);
    let syncs = 0;
    const real = nodeFs.fsyncSync;
    patched('fsyncSync', (...a) => {
      syncs++;
      return real(...a);
    }, () => log.append({ time: 1, id: 1, message: 'durable' }));
    assert.ok(syncs >= 1);
  });

  it('queries from the end in chunks, asynchronously, never reading the whole file', async () => {
    const log = new EventLog(dir, { maxBytes: 10 * 1024 * 1024 });
    for (let i = 0; i < 1200; i++) log.append({ time: i, id: i % 3 === 0 ? 12288 : 12289, message: `event ${i} ${'x'.repeat(80)}` });
    const pending = patched('readFileSync', () => assert.fail('read the whole log'), () => log.queryAsync({ ids: [12288], limit: 3 }));
    assert.ok(pending instanceof Promise);
    assert.deepEqual((await pending).map((e) => e.time), [1191, 1194, 1197]);
    assert.deepEqual(patched('readFileSync', () => assert.fail('read the whole log'), () => log.query({ since: 1198 })).map((e) => e.time), [1198, 1199]);
    assert.equal((await log.queryAsync()).length, 1000);
  });

  it('reads lines backwards across chunk borders, multi-byte characters included', async () => {
    const f = path.join(dir, 'lines');
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${'é'.repeat(i)}`);
    fs.writeFileSync(f, `${lines.join('\n')}\n`);
    const got: string[] = [];
    for await (const l of linesFromEnd(f, 7)) got.push(l);
    assert.deepEqual(got, [...lines].reverse());
  });

  it('an append after a torn line starts a new line, so the new event is not lost', () => {
    const log = new EventLog(dir);
    log.append({ time: 1, id: 1, message: 'ok' });
    fs.appendFileSync(log.file, '{"seq":2,"ti');
    new EventLog(dir).append({ time: 3, id: 1, message: 'after' });
    assert.deepEqual(new EventLog(dir).query().map((e) => e.message), ['ok', 'after']);
  });
});
