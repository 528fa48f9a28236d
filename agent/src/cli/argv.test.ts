import assert from 'node:assert/strict';
import { hoistConnectionOptions } from './argv';

describe('hoistConnectionOptions', () => {
  const h = (...a: string[]) => hoistConnectionOptions(['node', 'vact', ...a]).slice(2);
  it('moves connection options before the verb behind it, values included, in order', () => {
    assert.deepEqual(h('--agent', 'ws://h:1', 'status', '-v'), ['status', '-v', '--agent', 'ws://h:1']);
    assert.deepEqual(h('--json', '--state-dir=/d', 'key', 'install', 'K'), ['key', 'install', 'K', '--json', '--state-dir=/d']);
    assert.deepEqual(h('key', '--token-file', 'f', 'install', '-'), ['key', 'install', '-', '--token-file', 'f']);
  });
  it('leaves other options and everything after -- alone', () => {
    assert.deepEqual(h('status', '--verbose'), ['status', '--verbose']);
    assert.deepEqual(h('x', '--', '--json'), ['x', '--', '--json']);
  });
});
