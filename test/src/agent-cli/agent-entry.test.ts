// `vact agent run` starts from the one-file bundle built with the package (agent/scripts/bundle.mjs);
// bin/vact.js falls back to the compiled files when they are newer, and every other command runs
// from the whole command tree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, VACT_BIN } from '../fixtures/processes';
import { AgentProcess, RpcClient, SigningAuthority, makKey, tempDir } from '../agent-daemon/daemon-harness';

const DIST = path.join(REPO_ROOT, 'agent', 'dist');

describe('the vact entry points', () => {
  it('the daemon bundle is built from the compiled files (no input newer) and holds only what `agent run` needs', () => {
    const bundle = path.join(DIST, 'vact-agent.js');
    assert.ok(fs.existsSync(bundle), 'agent/dist/vact-agent.js exists: build with `npm run build` (tsc -b and the agent bundle)');
    const inputs = JSON.parse(fs.readFileSync(`${bundle}.inputs.json`, 'utf8')) as string[];
    const built = fs.statSync(bundle).mtimeMs;
    const newer = inputs.filter((f) => fs.existsSync(path.join(DIST, f)) && fs.statSync(path.join(DIST, f)).mtimeMs > built);
    assert.deepEqual(newer, [], 'the bundle is older than files it was built from: run `npm run build`');
    assert.ok(inputs.includes('daemon/compose.js') && inputs.includes('cli/agent-run-main.js'), 'the bundle has the daemon');
    const notNeeded = inputs.filter((f) => /^(plan|lab)\/|^cli\/(main|agent-commands|catalogue-command|command-table)\.js$/.test(f));
    assert.deepEqual(notNeeded, [], 'the daemon bundle leaves out the rest of the command tree');
    const text = fs.readFileSync(bundle, 'utf8');
    assert.doesNotMatch(text, /require\("@vact\/authority/, 'the authority is never in the daemon');
    assert.match(text, /Invalid input/, "zod's English messages are in");
    assert.doesNotMatch(text, /Ungültige Eingabe/, "zod's translations are left out");
  });

  it('a daemon from the bundle starts (hardware probe), activates a MAK over HTTP, restarts, and stops cleanly', async function () {
    this.timeout(120_000);
    const dir = tempDir('vact-bundle-daemon-');
    const authority = new SigningAuthority();
    await authority.start();
    // Coverage runs use the compiled files (bin/vact.js); this test is about the bundle, so it runs without.
    const saved = process.env['NODE_V8_COVERAGE'];
    delete process.env['NODE_V8_COVERAGE'];
    const marker = path.join(dir, 'entry.txt');
    const preload = path.join(dir, 'entry.js');
    fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(marker)}, Object.keys(require.cache).filter((f) => /vact-agent\\.js$|agent-run-main\\.js$/.test(f)).join(',')));\n`);
    const agent = new AgentProcess({ stateDir: path.join(dir, 'state'), authorityUrl: authority.url, authorityKeyFile: authority.writeKeyFile(dir) });
    agent.args = ((args) => () => ['-r', preload, ...args()])(agent.args.bind(agent));
    try {
      await agent.start(); // first start: the systeminformation probe, its own file beside the bundle
      let rpc = await RpcClient.connect(agent.url, path.join(dir, 'state'));
      await rpc.call('key.install', { key: makKey(4242) });
      assert.equal((await rpc.call('status'))['status'], 'Licensed');
      rpc.close();
      assert.equal(await agent.stop(), 0, agent.stderr);
      assert.equal(fs.readFileSync(marker, 'utf8'), path.join(DIST, 'vact-agent.js'), 'the daemon ran from the bundle');
      await agent.start();
      rpc = await RpcClient.connect(agent.url, path.join(dir, 'state'));
      assert.equal((await rpc.call('status'))['status'], 'Licensed');
      rpc.close();
      assert.equal(await agent.stop(), 0, agent.stderr);
      assert.match(agent.stderr, /INFO {2}vact agent stopped/);
      assert.doesNotMatch(agent.stderr, /ERROR|WARN|internal error/, 'the restart (background hardware scan) logged no failure');
    } finally {
      if (saved !== undefined) process.env['NODE_V8_COVERAGE'] = saved;
      await agent.stop();
      await authority.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bin/vact.js runs the bundle unless a compiled input is newer, and other commands from the command tree', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-entry-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.mkdirSync(path.join(dir, 'dist', 'cli'), { recursive: true });
      fs.copyFileSync(VACT_BIN, path.join(dir, 'bin', 'vact.js'));
      const entry = (file: string, name: string): void => fs.writeFileSync(path.join(dir, 'dist', file), `exports.main = async () => { process.stdout.write('${name}'); return 0; };\n`);
      entry('cli/main.js', 'tree');
      entry('cli/agent-run-main.js', 'compiled');
      // Node passes its own NODE_V8_COVERAGE on to a child unless the child's env names it.
      const env = { ...process.env, NODE_V8_COVERAGE: '' };
      const run = (...args: string[]): string => {
        const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'vact.js'), ...args], { encoding: 'utf8', env });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      assert.equal(run('agent', 'run'), 'compiled', 'no bundle: the compiled files');
      entry('vact-agent.js', 'bundle');
      fs.writeFileSync(path.join(dir, 'dist', 'vact-agent.js.inputs.json'), JSON.stringify(['cli/agent-run-main.js', '../../shared/dist/index.js']));
      const t = Date.now() / 1000;
      fs.utimesSync(path.join(dir, 'dist', 'cli', 'agent-run-main.js'), t - 60, t - 60);
      fs.utimesSync(path.join(dir, 'dist', 'vact-agent.js'), t - 30, t - 30);
      assert.equal(run('agent', 'run', '--state-dir', 'x'), 'bundle', 'a fresh bundle (an input that is not there counts as not newer)');
      env['NODE_V8_COVERAGE'] = path.join(dir, 'coverage');
      assert.equal(run('agent', 'run'), 'compiled', 'a run that collects coverage: the compiled files');
      env['NODE_V8_COVERAGE'] = '';
      fs.utimesSync(path.join(dir, 'dist', 'cli', 'agent-run-main.js'), t, t);
      assert.equal(run('agent', 'run'), 'compiled', 'an input compiled after the bundle: the compiled files');
      assert.equal(run('status'), 'tree');
      assert.equal(run('agent', '--help'), 'tree');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
