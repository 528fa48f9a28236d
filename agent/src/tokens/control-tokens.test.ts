import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONTROL_TOKEN_FILES } from '@vact/shared';
import { ensureTokens, tokenPath, TOKEN_FILES } from './control-tokens';

describe('control tokens', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-tokens-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates two different tokens with mode 0600 and keeps them across starts', () => {
    const first = ensureTokens(dir);
    assert.notEqual(first.user, first.admin);
    assert.ok(first.admin.length >= 40);
    for (const role of ['user', 'admin'] as const) assert.equal(fs.statSync(tokenPath(dir, role)).mode & 0o777, 0o600);
    assert.deepEqual(ensureTokens(dir), first);
  });

  it('uses the file names of the control API contract', () => {
    assert.deepEqual(TOKEN_FILES, CONTROL_TOKEN_FILES);
  });
});
