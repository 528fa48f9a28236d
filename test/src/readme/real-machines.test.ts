// README "On real machines", run as written (bash, real openssl, real processes, TLS on 127.0.0.1):
// certificates, an authority over HTTPS, an agent trusting its CA, a MAK from standard input,
// Licensed. Then what happens without the CA: "certificate not trusted (…): pass --ca FILE".
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, freePort } from '../fixtures/processes';
import { tempDir } from '../agent-daemon/daemon-harness';
import { vact } from '../agent-cli/cli-runner';

/** The first ```sh block after the heading `## On real machines`. */
export function realMachinesScript(readme: string): string {
  const section = readme.slice(readme.indexOf('## On real machines'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README: no sh block under "On real machines"');
  return m[1];
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  return { child, done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, out }))) };
}

describe('README "On real machines" runs as written (TLS on 127.0.0.1)', function () {
  this.timeout(180_000);
  let dir: string;
  let script: ChildProcess | null = null;
  const extra: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;

  before(async () => {
    dir = tempDir('vact-readme-');
    env = {
      ...process.env,
      PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`,
      AUTHORITY: '127.0.0.1', PORT: String(await freePort()),
      AUTHORITY_DIR: path.join(dir, 'authority'), STATE_DIR: path.join(dir, 'state'),
      VACT_AGENT: '', VACT_STATE_DIR: '', VACT_TOKEN_FILE: '', VACT_AUTHORITY_URL: '',
    };
  });
  after(async () => {
    // The script's background jobs (authority, agent) share its process group: stop the groups
    // and wait until they are gone (they write their last files on the way out).
    const groups = [script, ...extra].flatMap((c) => (c?.pid ? [c.pid] : []));
    const alive = (pgid: number): boolean => {
      try { process.kill(-pgid, 0); return true; } catch { return false; }
    };
    for (const g of groups) {
      try { process.kill(-g, 'SIGTERM'); } catch { /* gone */ }
    }
    for (let i = 0; i < 100 && groups.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    for (const g of groups.filter(alive)) process.kill(-g, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the section runs and the machine ends Licensed', async () => {
    const file = path.join(dir, 'real-machines.sh');
    fs.writeFileSync(file, realMachinesScript(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')));
    const r = run('bash', ['-e', file], { cwd: dir, env });
    script = r.child;
    const { code, out } = await r.done;
    assert.equal(code, 0, out);
    assert.match(out, /^License Status: Licensed$/m);
    assert.match(out, /Activation channel: MAK/i);
    const s = await vact(['status', '--json', '--state-dir', env['STATE_DIR']!], { env });
    assert.equal((JSON.parse(s.stdout) as { status: string }).status, 'Licensed');
  });

  it('without the CA: "certificate not trusted (…): pass --ca FILE", exit 4, never "unreachable"', async () => {
    const r = await vact(['authority', 'key', 'list', '--dir', env['AUTHORITY_DIR']!], { env });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /^error CERTIFICATE_NOT_TRUSTED \(6006\): .*certificate not trusted \([A-Z_]+\): pass --ca FILE/m);
    assert.doesNotMatch(r.stderr, /unreachable|could not be reached/i);
  });

  it('an agent without --authority-ca and a wss:// control API without --ca say which option to pass', async () => {
    const state2 = path.join(dir, 'state2');
    const a = run(process.execPath, [path.join(REPO_ROOT, 'agent', 'bin', 'vact.js'), 'agent', 'run', '--state-dir', state2, '--edition', 'client-enterprise',
      '--authority', `https://127.0.0.1:${env['PORT']}`, '--authority-key', path.join(dir, 'authority-root.pub'),
      '--control', '127.0.0.1:0', '--tls-cert', path.join(dir, 'authority.crt'), '--tls-key', path.join(dir, 'authority.key'), '--clock', 'sim'], { cwd: dir, env });
    extra.push(a.child);
    let url = '';
    for (let i = 0; !url; i++) {
      assert.ok(i < 300, 'the second agent listens');
      await new Promise((res) => setTimeout(res, 100));
      try { url = (JSON.parse(fs.readFileSync(path.join(state2, 'control.json'), 'utf8')) as { url: string }).url; } catch { /* not yet */ }
    }
    assert.match(url, /^wss:\/\//);
    const noCa = await vact(['status', '--state-dir', state2], { env });
    assert.equal(noCa.code, 4, noCa.stderr);
    assert.match(noCa.stderr, /certificate not trusted \([A-Z_]+\): pass --ca FILE/);
    const ca = ['--state-dir', state2, '--ca', path.join(dir, 'ca.crt')];
    const install = await vact(['key', 'install', '-', ...ca, '--json'], { env, input: fs.readFileSync(path.join(dir, 'mak.key'), 'utf8') });
    assert.equal(install.code, 4, install.stderr);
    const err = (JSON.parse(install.stdout) as { activation: { error: { code: string; message: string } } }).activation.error;
    assert.equal(err.code, 'CERTIFICATE_NOT_TRUSTED');
    assert.match(err.message, /certificate not trusted \([A-Z_]+\): pass --authority-ca FILE/);
  });
});
