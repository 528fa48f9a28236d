// `vact agent install|uninstall` through the real CLI: the unit systemd would load (checked by
// systemd-analyze verify), the files and modes written under --root, and refusals that
// change nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vact } from '../agent-cli/cli-runner';

function mode(p: string): string {
  return (fs.statSync(p).mode & 0o777).toString(8);
}

describe('vact agent install (systemd service)', function () {
  let dir: string;
  let config: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-install-'));
    fs.writeFileSync(path.join(dir, 'authority.pub'), 'MCowBQYDK2VwAyEAexample\n');
    config = path.join(dir, 'agent.json');
    fs.writeFileSync(config, JSON.stringify({
      stateDir: './state', edition: 'client-enterprise', authority: 'https://authority.lab:8470', authorityKey: 'authority.pub',
    }));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--print shows a hardened unit that systemd-analyze verify accepts, and the config it would install', async () => {
    const r = await vact(['agent', 'install', '--print', '--config', config, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { unit: string; config: Record<string, string>; files: { path: string; mode: string }[] };
    for (const line of ['User=vact', 'Group=vact', 'ProtectSystem=strict', 'ProtectHome=yes', 'NoNewPrivileges=yes',
      'StateDirectory=vact', 'StateDirectoryMode=0700', 'CapabilityBoundingSet=', 'WantedBy=multi-user.target']) {
      assert.ok(out.unit.split('\n').includes(line), `unit lacks ${line}:\n${out.unit}`);
    }
    assert.ok(!out.unit.includes('CAP_NET_BIND_SERVICE'), 'a plain agent gets no capability');
    assert.match(out.unit, /^ExecStart=\S+node --max-semi-space-size=2 --v8-pool-size=1 --max-old-space-size=1024 \S+\/bin\/vact\.js agent run --config \/etc\/vact\/agent\.json$/m);
    assert.match(out.unit, /^Environment=MALLOC_ARENA_MAX=2$/m, 'the daemon runs with two malloc arenas (bench/agent-footprint.js)');
    assert.deepEqual(out.config, {
      stateDir: '/var/lib/vact', edition: 'client-enterprise', authority: 'https://authority.lab:8470', authorityKey: '/etc/vact/authority.pub',
    });
    assert.deepEqual(out.files.map((f) => `${f.path} ${f.mode}`).sort(), [
      '/etc/systemd/system/vact-agent.service 0644', '/etc/vact/agent.json 0640', '/etc/vact/authority.pub 0640',
    ]);
    const unitFile = path.join(dir, 'vact-agent.service');
    fs.writeFileSync(unitFile, out.unit);
    execFileSync('systemd-analyze', ['verify', unitFile], { stdio: 'pipe' }); // throws with its complaint when it refuses
    const text = await vact(['agent', 'install', '--print', '--config', config]);
    assert.equal(text.code, 0);
    assert.ok(text.stdout.startsWith('# /etc/systemd/system/vact-agent.service\n'), text.stdout);
  });

  it('grants CAP_NET_BIND_SERVICE only to a KMS host (kmsListen) or an agent on a privileged port', async () => {
    const base = JSON.parse(fs.readFileSync(config, 'utf8')) as object;
    for (const extra of [{ kmsListen: '0.0.0.0:1688' }, { control: '127.0.0.1:689' }]) {
      fs.writeFileSync(config, JSON.stringify({ ...base, ...extra }));
      const r = await vact(['agent', 'install', '--print', '--config', config, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const unit = (JSON.parse(r.stdout) as { unit: string }).unit;
      assert.match(unit, /^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m, JSON.stringify(extra));
      assert.match(unit, /^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$/m);
    }
  });

  it('installs under --root with tight modes, again in place, and uninstall keeps config and state unless --purge', async () => {
    const root = path.join(dir, 'image');
    const r = await vact(['agent', 'install', '--root', root, '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    const unit = path.join(root, 'etc/systemd/system/vact-agent.service');
    const installed = path.join(root, 'etc/vact/agent.json');
    assert.equal(mode(unit), '644');
    assert.equal(mode(installed), '640');
    assert.equal(mode(path.join(root, 'etc/vact')), '750');
    assert.equal(mode(path.join(root, 'etc')), '755', 'parents keep the usual mode');
    assert.equal(fs.readFileSync(path.join(root, 'etc/vact/authority.pub'), 'utf8'), 'MCowBQYDK2VwAyEAexample\n');
    assert.match(r.stdout, /stateDir .* is replaced by \/var\/lib\/vact/);
    const first = fs.readFileSync(installed, 'utf8');

    // Again, now without --config: the installed config is kept and the unit rewritten.
    const again = await vact(['agent', 'install', '--root', root]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(fs.readFileSync(installed, 'utf8'), first);

    fs.mkdirSync(path.join(root, 'var/lib/vact'), { recursive: true });
    fs.writeFileSync(path.join(root, 'var/lib/vact/state.json'), '{}');
    const un = await vact(['agent', 'uninstall', '--root', root, '--json']);
    assert.equal(un.code, 0, un.stderr);
    const res = JSON.parse(un.stdout) as { removed: string[]; kept: string[] };
    assert.deepEqual(res.removed, [unit]);
    assert.deepEqual(res.kept.sort(), [path.join(root, 'etc/vact'), path.join(root, 'var/lib/vact')]);
    assert.ok(fs.existsSync(path.join(root, 'var/lib/vact/state.json')), 'the licence state survives uninstall');

    const purge = await vact(['agent', 'uninstall', '--root', root, '--purge']);
    assert.equal(purge.code, 0, purge.stderr);
    assert.ok(!fs.existsSync(path.join(root, 'etc/vact')) && !fs.existsSync(path.join(root, 'var/lib/vact')));
    const nothing = await vact(['agent', 'uninstall', '--root', root]);
    assert.equal(nothing.code, 0);
    assert.match(nothing.stdout, /not installed: nothing to do/);
  });

  it('refuses a bad config or none at all with the setting named, and writes nothing', async () => {
    const root = path.join(dir, 'image');
    fs.writeFileSync(config, JSON.stringify({ stateDir: '/x', authority: 'https://a.lab', authorityKey: 'authority.pub' }));
    const noEdition = await vact(['agent', 'install', '--root', root, '--config', config]);
    assert.equal(noEdition.code, 2);
    assert.match(noEdition.stderr, /INVALID_CONFIG.*--edition \(config key "edition"\): is required/);
    const none = await vact(['agent', 'install', '--root', root]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no config given and none installed at .*agent\.json; pass --config FILE/);
    assert.ok(!fs.existsSync(root), 'nothing was written');
  });
});
