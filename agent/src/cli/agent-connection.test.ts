import assert from 'node:assert/strict';
import { resolveConnection } from './agent-connection';

describe('resolveConnection: flags > environment > defaults', () => {
  it('a default install needs no flag: /var/lib/vact', () => {
    assert.deepEqual(resolveConnection({}, {}), { url: null, stateDir: '/var/lib/vact', tokenFile: null, defaultStateDir: true });
  });
  it('the environment stands for the flags, and the flags win', () => {
    const env = { VACT_AGENT: 'ws://e:1', VACT_STATE_DIR: '/env', VACT_TOKEN_FILE: '/env.token' };
    assert.deepEqual(resolveConnection({}, env), { url: 'ws://e:1', stateDir: '/env', tokenFile: '/env.token', defaultStateDir: false });
    assert.deepEqual(resolveConnection({ agent: 'ws://f:2', stateDir: '/f', tokenFile: '/f.token' }, env), { url: 'ws://f:2', stateDir: '/f', tokenFile: '/f.token', defaultStateDir: false });
  });
  it('a named URL never takes the default dir\'s token', () => {
    assert.equal(resolveConnection({ agent: 'ws://remote:1689' }, {}).stateDir, null);
    assert.equal(resolveConnection({}, { VACT_TOKEN_FILE: '/t' }).stateDir, null);
  });
});
