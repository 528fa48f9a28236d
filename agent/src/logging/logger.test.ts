import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAgentLogger, humanLine } from './logger';

describe('agent logger', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-log-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never writes full product keys or tokens, to the file or the terminal', () => {
    const lines: string[] = [];
    const log = createAgentLogger({ dir, terminal: { write: (s: string) => lines.push(s) }, now: () => 0 });
    log.info('installing ABCDE-FGHJK-MNPQR-STVWX-YZ234', { adminToken: 's3cret', nested: { key: 'ABCDE-FGHJK-MNPQR-STVWX-YZ234' } });
    const file = fs.readFileSync(path.join(dir, 'agent.log'), 'utf8');
    for (const text of [lines.join(''), file]) {
      assert.ok(!text.includes('ABCDE-FGHJK'), text);
      assert.ok(!text.includes('s3cret'), text);
      assert.ok(text.includes('YZ234'));
    }
    assert.deepEqual(JSON.parse(file.trim()), {
      time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'installing *****-*****-*****-*****-YZ234',
      adminToken: '[redacted]', nested: { key: '*****-*****-*****-*****-YZ234' },
    });
    assert.equal(lines[0], '1970-01-01T00:00:00.000Z INFO  installing *****-*****-*****-*****-YZ234 adminToken=[redacted] nested={"key":"*****-*****-*****-*****-YZ234"}\n');
    assert.equal((fs.statSync(path.join(dir, 'agent.log')).mode & 0o777), 0o600);
  });

  it('filters by level and rotates the file by size', () => {
    const log = createAgentLogger({ dir, terminal: null, level: 'warn', maxBytes: 300, keep: 2 });
    log.info('not shown');
    for (let i = 0; i < 20; i++) log.warn(`warning ${i}`);
    const files = fs.readdirSync(dir).sort();
    assert.deepEqual(files, ['agent.log', 'agent.log.1', 'agent.log.2']);
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 300, f);
      assert.ok(!text.includes('not shown'));
    }
    assert.match(fs.readFileSync(path.join(dir, 'agent.log'), 'utf8'), /"msg":"warning 19"/);
  });

  it('continues an existing agent.log and never throws when the file cannot be written', () => {
    fs.writeFileSync(path.join(dir, 'agent.log'), '{"time":"x","level":"info","msg":"before"}\n');
    createAgentLogger({ dir, terminal: null }).info('after');
    assert.match(fs.readFileSync(path.join(dir, 'agent.log'), 'utf8'), /before[^]*after/);
    const gone = path.join(dir, 'removed');
    fs.mkdirSync(gone);
    const terminal: string[] = [];
    const log = createAgentLogger({ dir: gone, terminal: { write: (s: string) => { terminal.push(s); throw new Error('EPIPE'); } } });
    fs.rmSync(gone, { recursive: true });
    assert.doesNotThrow(() => log.error('disk gone', { error: 'ENOSPC' }));
    assert.equal(terminal.length, 1);
  });

  it('terminal lines: time, padded level, message, then k=v', () => {
    assert.equal(humanLine('{"time":"T","level":"warn","msg":"m","a":"x y","b":2,"c":{"d":[1]}}\n'), 'T WARN  m a=x y b=2 c={"d":[1]}\n');
  });
});
