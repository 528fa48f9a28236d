import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanStaleTempFiles } from './stale-temp-files';
import { createFileAtomic, tempPathFor } from './atomic-file';

describe('stale temp files', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-tmp-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('removes the temp files a killed writer left, keeps live writers\' and other files', () => {
    // A PID that surely belongs to no process any more: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    assert.ok(dead);
    const names = [`.state.json.${dead}.tmp`, `.admin.token.${dead}.tmp`, `.state.json.${process.pid}.tmp`, 'state.json', 'notes.tmp'];
    for (const n of names) fs.writeFileSync(path.join(dir, n), '{');
    const removed = cleanStaleTempFiles(dir, (pid) => pid !== dead);
    assert.deepEqual(removed.sort(), [`.admin.token.${dead}.tmp`, `.state.json.${dead}.tmp`]);
    assert.deepEqual(fs.readdirSync(dir).sort(), [`.state.json.${process.pid}.tmp`, 'notes.tmp', 'state.json'].sort());
  });

  it('uses the name pattern the atomic writer uses', () => {
    assert.equal(path.basename(tempPathFor(path.join(dir, 'state.json'), 42)), '.state.json.42.tmp');
  });

  it('creates a file atomically and never replaces one that exists', () => {
    const f = path.join(dir, 'x');
    assert.equal(createFileAtomic(f, 'one'), true);
    assert.equal(createFileAtomic(f, 'two'), false);
    assert.equal(fs.readFileSync(f, 'utf8'), 'one');
    assert.deepEqual(fs.readdirSync(dir), ['x']);
  });
});
