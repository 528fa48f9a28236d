// The agent ships as one npm package: `npm run pack:agent` makes vact-agent-<version>.tgz, and
// a lab machine with only Node installs it (`npm install --omit=dev --ignore-scripts`) and runs
// the agent from it: no native module, no database driver, no authority, no build step.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../fixtures/processes';

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('the agent tarball (vact-agent-<version>.tgz)', function () {
  this.timeout(180_000);
  let dir: string;
  let vact: string;
  let tgz: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-tarball-'));
    tgz = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/pack-agent.mjs'), '--out', dir], { encoding: 'utf8' }).trim();
    assert.match(path.basename(tgz), /^vact-agent-\d+\.\d+\.\d+\.tgz$/);
    const machine = path.join(dir, 'machine');
    fs.mkdirSync(machine);
    fs.writeFileSync(path.join(machine, 'package.json'), '{"name":"lab-machine","version":"1.0.0","private":true}\n');
    execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', tgz], { cwd: machine, stdio: 'pipe' });
    vact = path.join(machine, 'node_modules/.bin/vact');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('installs with no native module, no database driver and no authority', () => {
    const modules = path.join(dir, 'machine/node_modules');
    const all = files(modules);
    assert.deepEqual(all.filter((f) => f.endsWith('.node') || f.endsWith('binding.gyp')), []);
    for (const p of ['better-sqlite3', 'pg', '@vact/authority']) assert.ok(!fs.existsSync(path.join(modules, p)), `${p} came along`);
    assert.ok(!all.some((f) => /\.test\.js$/.test(f) && f.includes('@vact')), 'test files are not shipped');
  });

  it('installs globally (`npm install -g`, as docs/operations.md says) with every dependency and runs', () => {
    const prefix = path.join(dir, 'global');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', tgz], { stdio: 'pipe' });
    const version = spawnSync(path.join(prefix, 'bin/vact'), ['--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const help = spawnSync(path.join(prefix, 'bin/vact'), ['agent', 'run', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
  });

  it('runs `vact agent run --help`, and says plainly that the authority is not part of it', () => {
    const help = spawnSync(vact, ['agent', 'run', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--state-dir/);
    const auth = spawnSync(vact, ['authority', 'info', '--dir', dir], { encoding: 'utf8' });
    assert.equal(auth.status, 1);
    assert.match(auth.stderr, /FEATURE_UNAVAILABLE.*not part of this installation/);
  });

  it('runs the agent from the installed package: first start, grace, status', async () => {
    const stateDir = path.join(dir, 'state');
    const pub = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!;
    const keyFile = path.join(dir, 'authority-root.pub');
    fs.writeFileSync(keyFile, `${Buffer.from(pub, 'base64url').toString('base64')}\n`);
    const agent = spawn(vact, ['agent', 'run', '--state-dir', stateDir, '--edition', 'client-enterprise', '--authority', 'http://127.0.0.1:9',
      '--authority-key', keyFile, '--control', '127.0.0.1:0', '--clock', 'sim'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    try {
      let status: { status?: string } = {};
      for (let i = 0; i < 100 && status.status === undefined; i++) {
        const r = spawnSync(vact, ['status', '--state-dir', stateDir, '--json'], { encoding: 'utf8' });
        if (r.status === 0) status = JSON.parse(r.stdout) as { status: string };
        else await new Promise((res) => setTimeout(res, 200));
      }
      assert.equal(status.status, 'InitialGrace');
    } finally {
      agent.kill('SIGTERM');
      await exited;
    }
  });
});
