// `vact agent run` starts from the one-file bundle built with the package (agent/scripts/bundle.mjs);
// bin/vact.js falls back to the compiled files when they are newer, and every other command runs
// from the whole command tree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, VACT_BIN } from '../fixtures/processes';

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

  it('bin/vact.js runs the bundle unless a compiled input is newer, and other commands from the command tree', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-entry-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.mkdirSync(path.join(dir, 'dist', 'cli'), { recursive: true });
      fs.copyFileSync(VACT_BIN, path.join(dir, 'bin', 'vact.js'));
      const entry = (file: string, name: string): void => fs.writeFileSync(path.join(dir, 'dist', file), `exports.main = async () => { process.stdout.write('${name}'); return 0; };\n`);
      entry('cli/main.js', 'tree');
      entry('cli/agent-run-main.js', 'compiled');
      const run = (...args: string[]): string => {
        const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'vact.js'), ...args], { encoding: 'utf8' });
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
      fs.utimesSync(path.join(dir, 'dist', 'cli', 'agent-run-main.js'), t, t);
      assert.equal(run('agent', 'run'), 'compiled', 'an input compiled after the bundle: the compiled files');
      assert.equal(run('status'), 'tree');
      assert.equal(run('agent', '--help'), 'tree');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
