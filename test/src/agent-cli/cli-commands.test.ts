// The `vact` agent commands as real processes against a control server with a fake agent:
// output wording, --json shapes, token selection and the stable exit codes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startControlServer, type ControlServer } from '@vact/agent/control';
import { FakeAgentService } from '@vact/agent/testing';
import { vact, vactJson } from './cli-runner';

const TOKENS = { user: 'cli-user-token-0123456789', admin: 'cli-admin-token-0123456789' };

describe('vact agent commands (CLI process against a control server)', function () {
  this.timeout(30000);
  let dir: string;
  let server: ControlServer;
  let service: FakeAgentService;
  let admin: string[];
  let user: string[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-cli-'));
    fs.writeFileSync(path.join(dir, 'user.token'), `${TOKENS.user}\n`, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'admin.token'), `${TOKENS.admin}\n`, { mode: 0o600 });
    service = new FakeAgentService();
    server = await startControlServer({ service, tokens: TOKENS, port: 0 });
    admin = ['--agent', server.url, '--state-dir', dir];
    user = ['--agent', server.url, '--token-file', path.join(dir, 'user.token')];
  });

  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('status reads like slmgr /dli', async () => {
    const r = await vact(['status', ...user]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Name: Lab OS Enterprise \(enterprise\)$/m);
    assert.match(r.stdout, /^Description: Lab OS Enterprise, VOLUME_KMSCLIENT channel$/m);
    assert.match(r.stdout, /^Partial Product Key: KMSCL$/m);
    assert.match(r.stdout, /^License Status: Initial grace period$/m);
    assert.match(r.stdout, /^Time remaining: 43200 minute\(s\) \(30 day\(s\)\)$/m);
    assert.doesNotMatch(r.stdout, /CMID/);
  });

  it('status -v reads like slmgr /dlv', async () => {
    const r = await vact(['status', '-v', ...user]);
    assert.equal(r.code, 0, r.stderr);
    for (const line of [/^Remaining rearm count: 3$/m, /^Trusted time: 2026-11-27 00:00:00 UTC$/m, /Client Machine ID \(CMID\): 0123456789abcdef0123456789abcdef/, /Activation interval: 120 minutes/, /Renewal interval: 10080 minutes/, /Hardware hash: abab/]) {
      assert.match(r.stdout, line);
    }
  });

  it('status --json has the documented fields', async () => {
    const { code, json } = await vactJson(['status', ...user]);
    assert.equal(code, 0);
    for (const k of ['status', 'statusCode', 'edition', 'channel', 'partialKey', 'cmid', 'hardwareHash', 'graceEndsAt', 'validUntil', 'remainingRearms', 'lastError', 'nextAttemptAt']) {
      assert.ok(k in json, k);
    }
    assert.equal(json.status, 'InitialGrace');
    assert.equal(json.statusCode, 2);
    assert.equal(json.graceEndsAt, '2026-12-27T00:00:00.000Z');
  });

  it('expiry reads like slmgr /xpr', async () => {
    const r = await vact(['expiry', ...user]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'enterprise: Initial grace period ends 2026-12-27 00:00:00 UTC (in 30 days)');
  });

  it('a user token running an admin command gets "needs admin" (exit 3) and nothing changes', async () => {
    for (const args of [['rearm'], ['key', 'uninstall'], ['key', 'install', 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE'], ['hardware', 'rescan'], ['offline', 'confirm', 'GOOD']]) {
      const r = await vact([...args, ...user]);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /needs the admin token/);
      assert.match(r.stderr, /what to do: Run as an administrator/);
    }
    const j = await vactJson(['rearm', ...user]);
    assert.equal(j.code, 3);
    assert.deepEqual(Object.keys((j.json as { error: object }).error).sort(), ['code', 'hint', 'message', 'number']);
    assert.equal((j.json as { error: { code: string } }).error.code, 'NEEDS_ADMIN');
    assert.equal(service.state.remainingRearms, 3);
    assert.equal(service.state.keyType, 'kms-client');
    assert.ok(!service.state.calls.some((c) => c.role === 'user' && !['handshake', 'clockNow'].includes(c.method)));
  });

  it('--state-dir uses the admin token: rearm, key install/uninstall succeed', async () => {
    const r = await vact(['rearm', ...admin]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Remaining rearm count: 2/);
    const k = await vact(['key', 'install', 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE', ...admin]);
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /Installed product key EEEEE \(MAK, group client-vl\) successfully/);
    const a = await vact(['activate', ...admin]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /Product activated successfully/);
    const x = await vact(['expiry', ...admin]);
    assert.match(x.stdout, /permanently activated/);
    const u = await vact(['key', 'uninstall', ...admin]);
    assert.equal(u.code, 0);
    assert.match(u.stdout, /License Status: Unlicensed/);
  });

  it('a refused operation exits 1 with message and hint; bad input exits 2', async () => {
    const a = await vact(['activate', ...user]);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /error NO_KMS_HOST \(3000\): No KMS host is available/);
    assert.match(a.stderr, /what to do: Set one with `vact kms set/);
    const k = await vactJson(['key', 'install', 'not-a-key', ...admin]);
    assert.equal(k.code, 2);
    assert.equal((k.json as { error: { code: string } }).error.code, 'INVALID_KEY');
    const c = await vact(['offline', 'confirm', 'BAD', ...admin]);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /INVALID_CONFIRMATION_ID/);
  });

  it('events prints one line per event and filters with --since', async () => {
    await vact(['key', 'install', 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE', ...admin]);
    await vact(['activate', ...admin]);
    const r = await vact(['events', ...user]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^2026-11-27 00:00:00 UTC {2}12289 {2}info {5}MAK activation succeeded$/m);
    const j = await vactJson<{ events: unknown[] }>(['events', '--since', '2026-11-28T00:00:00Z', ...user]);
    assert.deepEqual(j.json.events, []);
    const bad = await vact(['events', '--since', 'yesterday-ish', ...user]);
    assert.equal(bad.code, 2);
  });

  it('unreachable agent exits 4; missing token exits 2; unreadable token file exits 5', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const down = await vactJson(['status', '--agent', `ws://127.0.0.1:${port}`, '--state-dir', dir]);
    assert.equal(down.code, 4);
    assert.equal((down.json as { error: { code: string } }).error.code, 'UNREACHABLE');
    const none = await vact(['status', '--agent', server.url], { env: { VACT_STATE_DIR: '' } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--state-dir/);
    const missing = await vact(['status', '--agent', server.url, '--token-file', path.join(dir, 'nope.token')]);
    assert.equal(missing.code, 5);
    const wrong = path.join(dir, 'wrong.token');
    fs.writeFileSync(wrong, 'not-the-token\n');
    const w = await vact(['status', '--agent', server.url, '--token-file', wrong]);
    assert.equal(w.code, 3);
    assert.match(w.stderr, /UNAUTHORIZED/);
    const url = await vact(['status', '--agent', 'http://x', '--state-dir', dir]);
    assert.equal(url.code, 2);
  });

  it('finds the running agent from control.json in --state-dir when --agent is not given', async () => {
    fs.writeFileSync(path.join(dir, 'control.json'), JSON.stringify({ url: server.url, pid: process.pid }));
    fs.writeFileSync(path.join(dir, 'agent.lock'), JSON.stringify({ pid: process.pid, processStart: null }));
    const r = await vact(['clock', 'now', '--state-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Agent time: 2026-11-27 00:00:00 UTC \(simulated clock\)/);
  });

  it('unknown commands and flags exit 2', async () => {
    assert.equal((await vact(['status', '--bogus'])).code, 2);
    assert.equal((await vact(['key', 'install'])).code, 2);
  });
});
