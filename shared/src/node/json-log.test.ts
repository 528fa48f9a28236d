import assert from 'node:assert/strict';
import { createJsonLog, redact, redactKeys, teeLogDestination } from './json-log';

const KEY = 'ABCDE-FGHJK-MNPQR-STVWX-YZ234';

/** A logger at `level` whose lines are collected, on a fixed clock. */
function collecting(level: 'debug' | 'info' | 'warn' = 'info'): { lines: string[]; log: ReturnType<typeof createJsonLog> } {
  const lines: string[] = [];
  return { lines, log: createJsonLog({ write: (l: string) => { lines.push(l); } }, { level, now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6) }) };
}

describe('shared JSON log (pino)', () => {
  it('prints time, level and msg first, then the fields flat, one line each', () => {
    const { lines, log } = collecting();
    log.info('product key installed', { type: 'mak', partialKey: 'YZ234', nested: { n: 1 } });
    assert.equal(lines.length, 1);
    assert.ok(lines[0].endsWith('}\n'));
    assert.equal(lines[0], '{"time":"2026-01-02T03:04:05.006Z","level":"info","msg":"product key installed","type":"mak","partialKey":"YZ234","nested":{"n":1}}\n');
  });

  it('labels every level, filters below the threshold, and has no pid or hostname', () => {
    const { lines, log } = collecting('debug');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { level: string }).level), ['debug', 'info', 'warn', 'error']);
    for (const l of lines) assert.deepEqual(Object.keys(JSON.parse(l) as object), ['time', 'level', 'msg']);
    const warnOnly = collecting('warn');
    warnOnly.log.info('hidden');
    warnOnly.log.debug('hidden');
    warnOnly.log.warn('shown');
    assert.equal(warnOnly.lines.length, 1);
  });

  it('a field named time, level or msg never replaces those three', () => {
    const { lines, log } = collecting();
    log.warn('real', { time: 'x', level: 'error', msg: 'fake', other: true });
    assert.deepEqual(JSON.parse(lines[0]), { time: '2026-01-02T03:04:05.006Z', level: 'warn', msg: 'real', other: true });
  });

  it('never prints a whole product key or a secret-named field, at any depth', () => {
    const { lines, log } = collecting();
    log.info(`installing ${KEY}`, {
      adminToken: 's3cret', dbPassword: 'hunter2', privateKey: 'PRIV', clientSecret: 'sh',
      nested: { key: KEY, list: [KEY, { userToken: 'tok' }] }, text: `key=${KEY};`, keyUnder: `k_${KEY}_x`,
    });
    const line = lines[0];
    for (const secret of ['s3cret', 'hunter2', 'PRIV', 'tok', 'ABCDE-FGHJK', '"sh"']) assert.ok(!line.includes(secret), `${secret} in ${line}`);
    const rec = JSON.parse(line) as Record<string, unknown>;
    assert.equal(rec['msg'], 'installing *****-*****-*****-*****-YZ234');
    assert.equal(rec['adminToken'], '[redacted]');
    assert.equal(rec['dbPassword'], '[redacted]');
    assert.equal(rec['privateKey'], '[redacted]');
    assert.deepEqual(rec['nested'], { key: '*****-*****-*****-*****-YZ234', list: ['*****-*****-*****-*****-YZ234', { userToken: '[redacted]' }] });
    assert.equal(rec['text'], 'key=*****-*****-*****-*****-YZ234;');
    assert.equal(rec['keyUnder'], 'k_*****-*****-*****-*****-YZ234_x');
  });

  it('redact keeps what is not a whole key and leaves its input unchanged', () => {
    assert.equal(redactKeys('ABCDE-FGHJK-MNPQR-STVWX'), 'ABCDE-FGHJK-MNPQR-STVWX');
    assert.equal(redactKeys('XABCDE-FGHJK-MNPQR-STVWX-YZ234'), 'XABCDE-FGHJK-MNPQR-STVWX-YZ234');
    assert.equal(redactKeys('abcde-fghjk-mnpqr-stvwx-yz234'), '*****-*****-*****-*****-yz234');
    const input = { a: [KEY], token: 'x', n: 5, z: null };
    assert.deepEqual(redact(input), { a: ['*****-*****-*****-*****-YZ234'], token: '[redacted]', n: 5, z: null });
    assert.deepEqual(input, { a: [KEY], token: 'x', n: 5, z: null });
  });

  it('a tee writes each line to every destination', () => {
    const a: string[] = [];
    const b: string[] = [];
    const log = createJsonLog(teeLogDestination([{ write: (l: string) => { a.push(l); } }, { write: (l: string) => { b.push(l); } }], 'info'), { level: 'info' });
    log.info('one');
    log.debug('not shown');
    assert.equal(a.length, 1);
    assert.deepEqual(a, b);
  });
});
