// `vact agent run --config FILE` refuses a config file with an unknown key or a bad value before
// anything starts: exit 2, the file and the key named, no state directory made.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SigningAuthority, runToExit, tempDir } from './daemon-harness';

describe('agent daemon: strict config file (real process)', function () {
  this.timeout(60_000);
  let dir: string;
  let keyFile: string;
  before(() => {
    dir = tempDir('vact-config-file-');
    keyFile = new SigningAuthority().writeKeyFile(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names the file and the key, exits 2 and starts nothing', async () => {
    const cfg = path.join(dir, 'agent.json');
    const good = { stateDir: 'state', edition: 'client-enterprise', authority: 'http://127.0.0.1:9', authorityKey: path.basename(keyFile), control: '127.0.0.1:0', clock: 'sim' };
    for (const [over, message] of [
      [{ control: 'localhost' }, `config ${cfg}: control: "localhost" is not HOST:PORT`],
      [{ colour: 'blue' }, `config ${cfg}: colour: unknown key (known: stateDir,`],
      [{ clock: 7 }, `config ${cfg}: clock: expected a string`],
    ] as const) {
      fs.writeFileSync(cfg, JSON.stringify({ ...good, ...over }));
      const r = await runToExit(['--config', cfg]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(message), r.stderr);
      assert.ok(!fs.existsSync(path.join(dir, 'state')), 'no state directory was made');
    }
  });
});
