import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONTROL_TOKEN_FILES, VactError, exitCodeForErrorCode } from '@vact/shared';
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

  it('a crash between creating and writing a token leaves nothing the next start cannot repair', () => {
    // The write of the token content fails as if the process were killed right after the create.
    // The module object itself (the compiled `import * as` is a read-only view of it).
    const nodeFs = createRequire(__filename)('node:fs') as { writeSync: typeof fs.writeSync };
    const realWrite = nodeFs.writeSync;
    nodeFs.writeSync = () => {
      throw Object.assign(new Error('killed'), { code: 'EIO' });
    };
    try {
      assert.throws(() => ensureTokens(dir), /killed/);
    } finally {
      nodeFs.writeSync = realWrite;
    }
    const tokens = ensureTokens(dir);
    assert.ok(tokens.user.length >= 40 && tokens.admin.length >= 40);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['admin.token', 'user.token']);
  });

  it('refuses an empty admin.token with STATE_CORRUPT naming the file, exit 5', () => {
    fs.writeFileSync(tokenPath(dir, 'admin'), '', { mode: 0o600 });
    assert.throws(() => ensureTokens(dir), (err: unknown) => {
      assert.ok(err instanceof VactError);
      assert.equal(err.code, 'STATE_CORRUPT');
      assert.ok(err.message.includes(tokenPath(dir, 'admin')), err.message);
      assert.equal(exitCodeForErrorCode(err.code), 5);
      return true;
    });
    // The empty file is kept as it is: the operator decides.
    assert.equal(fs.readFileSync(tokenPath(dir, 'admin'), 'utf8'), '');
  });
});
