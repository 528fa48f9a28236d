// `vact key install` refuses, like slmgr /ipk, a key that cannot apply to the machine's edition —
// before anything changes: the old key and state stay, the catalogue's reason is printed.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeProductKey, findEdition, referenceCatalogue, type StatusResult } from '@vact/shared';
import { AgentProcess, SigningAuthority, makKey, useDaemonBench } from '../agent-daemon/daemon-harness';
import { vact } from './cli-runner';

const GROUPS = referenceCatalogue().groups.map((g) => g.id);

describe('vact key install: key applicability (real processes)', function () {
  this.timeout(60_000);
  let stateDir: string;
  let authority: SigningAuthority;
  let agent: AgentProcess;
  useDaemonBench('vact-ipk-', (b) => ({ stateDir, authority, agent } = b), { once: true, agentClock: 'sim' });

  const cli = (args: string[]) => vact([...args, '--agent', agent.url, '--state-dir', stateDir]);
  async function status(): Promise<StatusResult> {
    const r = await cli(['status', '-v', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as StatusResult;
  }

  it('a MAK of another group, another edition\'s setup key and a host key the edition may not hold are refused; nothing changes', async () => {
    const before = await status();
    const stateBefore = fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8');
    const requestsBefore = authority.requests;
    const cases: { key: string; code: string; reason: RegExp }[] = [
      { key: encodeProductKey({ type: 'mak', group: 'server-a', serial: 7 }, GROUPS), code: 'PRODUCT_NOT_COVERED_BY_KEY', reason: /MAK of group server-a .* does not cover client-enterprise/ },
      { key: findEdition(referenceCatalogue(), 'server-standard').kmsClientSetupKey, code: 'PRODUCT_NOT_COVERED_BY_KEY', reason: /KMS client setup key of server-standard, not of client-enterprise/ },
      { key: encodeProductKey({ type: 'kms-host', group: 'server-b', serial: 3 }, GROUPS), code: 'HOST_KEY_NOT_ALLOWED_ON_EDITION', reason: /server-b KMS host key may be installed only on .*not on client-enterprise/ },
    ];
    for (const c of cases) {
      const r = await cli(['key', 'install', c.key]);
      assert.notEqual(r.code, 0, `${c.key} refused`);
      assert.match(r.stderr, new RegExp(c.code), r.stderr);
      assert.match(r.stderr, c.reason);
      const j = await cli(['key', 'install', c.key, '--json']);
      assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, c.code);
    }
    const after = await status();
    assert.equal(after.partialKey, before.partialKey, 'the old key stays');
    assert.equal(after.status, before.status);
    assert.equal(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'), stateBefore, 'state.json untouched');
    assert.equal(authority.requests, requestsBefore, 'the authority was not asked');
  });

  it('a MAK of the edition\'s own group still installs and activates', async () => {
    const r = await cli(['key', 'install', makKey(11), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await status()).status, 'Licensed');
  });
});
