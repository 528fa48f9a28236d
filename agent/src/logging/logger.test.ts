import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger, redact, type LogLevel } from './logger';

describe('agent logger', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-log-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never writes full product keys or tokens', () => {
    const lines: string[] = [];
    const log = new Logger({ dir, terminal: { write: (s: string) => lines.push(s) }, now: () => 0 });
    log.info('installing ABCDE-FGHJK-MNPQR-STVWX-YZ234', { adminToken: 's3cret', nested: { key: 'ABCDE-FGHJK-MNPQR-STVWX-YZ234' } });
    const file = fs.readFileSync(path.join(dir, 'agent.log'), 'utf8');
    for (const text of [lines.join(''), file]) {
      assert.ok(!text.includes('ABCDE-FGHJK'), text);
      assert.ok(!text.includes('s3cret'), text);
      assert.ok(text.includes('YZ234'));
    }
    assert.deepEqual((JSON.parse(file.trim()) as { level: LogLevel }).level, 'info');
    assert.match(lines[0], /^1970-01-01T00:00:00.000Z INFO /);
  });

  it('filters by level and rotates the file by size', () => {
    const log = new Logger({ dir, terminal: null, level: 'warn', maxBytes: 300, keep: 2 });
    log.info('not shown');
    for (let i = 0; i < 20; i++) log.warn(`warning ${i}`);
    const files = fs.readdirSync(dir).sort();
    assert.deepEqual(files, ['agent.log', 'agent.log.1', 'agent.log.2']);
    assert.ok(!fs.readFileSync(path.join(dir, 'agent.log'), 'utf8').includes('not shown'));
  });

  it('redacts inside arrays', () => {
    assert.deepEqual(redact(['ABCDE-FGHJK-MNPQR-STVWX-YZ234']), ['*****-*****-*****-*****-YZ234']);
  });
});
