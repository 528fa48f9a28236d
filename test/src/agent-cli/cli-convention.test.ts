// One CLI convention (real processes): connection options before or after the verb; VACT_*
// environment variables mean exactly the flags (flags win); a state dir whose agent is not running
// is exit 4, never a fallback to another URL with that dir's token; authority admin commands find
// a local authority through its dir; usage errors, bare groups and the one error format.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { AgentProcess, useDaemonBench } from '../agent-daemon/daemon-harness';
import { ProcessGroup, parseJsonOutput } from '../fixtures/processes';
import { startAuthority } from '../authority/authority-harness';
import { vact } from './cli-runner';

const NO_ENV = { VACT_AGENT: '', VACT_STATE_DIR: '', VACT_TOKEN_FILE: '', VACT_AUTHORITY_URL: '' };
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the CLI convention (real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  let stateDir: string;
  let agent: AgentProcess;
  useDaemonBench('vact-conv-', (b) => ({ dir, stateDir, agent } = b), { agentClock: 'sim:2026-11-27T00:00:00Z' });

  it('connection options are accepted before or after the verb, the same result', async () => {
    const after = await vact(['status', '-v', '--agent', agent.url, '--state-dir', stateDir], { env: NO_ENV });
    const before = await vact(['--agent', agent.url, '--state-dir', stateDir, 'status', '-v'], { env: NO_ENV });
    const between = await vact(['key', '--state-dir', stateDir, 'uninstall', '--json'], { env: NO_ENV });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(before.stdout, after.stdout);
    assert.equal(between.code, 0, between.stderr);
    assert.equal((JSON.parse(between.stdout) as { status: string }).status, 'Unlicensed');
    const json = await vact(['--json', 'expiry', '--state-dir', stateDir], { env: NO_ENV });
    assert.equal(json.code, 0, json.stderr);
    assert.ok(JSON.parse(json.stdout));
  });

  it('VACT_STATE_DIR, VACT_AGENT and VACT_TOKEN_FILE mean the flags; flags override them', async () => {
    const byDir = await vact(['status', '--json'], { env: { ...NO_ENV, VACT_STATE_DIR: stateDir } });
    assert.equal(byDir.code, 0, byDir.stderr);
    const byUrl = await vact(['status', '--json'], { env: { ...NO_ENV, VACT_AGENT: agent.url, VACT_TOKEN_FILE: path.join(stateDir, 'user.token') } });
    assert.equal(byUrl.code, 0, byUrl.stderr);
    assert.deepEqual(JSON.parse(byUrl.stdout), JSON.parse(byDir.stdout));
    // A user token from the environment cannot rearm; the flag's admin token can.
    const envUser = { ...NO_ENV, VACT_AGENT: agent.url, VACT_TOKEN_FILE: path.join(stateDir, 'user.token') };
    assert.equal((await vact(['clock', 'advance', '1h'], { env: envUser })).code, 3);
    const flagWins = await vact(['clock', 'advance', '1h', '--token-file', path.join(stateDir, 'admin.token')], { env: envUser });
    assert.equal(flagWins.code, 0, flagWins.stderr);
    const badEnvDir = await vact(['status', '--state-dir', stateDir], { env: { ...NO_ENV, VACT_STATE_DIR: path.join(dir, 'nowhere') } });
    assert.equal(badEnvDir.code, 0, badEnvDir.stderr);
  });

  it('--state-dir D whose agent is not running: exit 4 naming D and the last PID; no fallback to another URL', async () => {
    const pid = agent.child!.pid!;
    const port = Number(new URL(agent.url).port);
    await agent.kill();
    // Whatever now listens on the dead agent's port (or on the default port) must not get D's token.
    let contacts = 0;
    const decoy = net.createServer((s) => { contacts++; s.destroy(); });
    await new Promise<void>((r) => decoy.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await vact(['status', '--state-dir', stateDir], { env: NO_ENV });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, new RegExp(`^error UNREACHABLE \\(6004\\): .*no agent is running for ${esc(stateDir)} \\(last seen PID ${pid}\\)`, 'm'));
      assert.match(r.stderr, /^what to do: Start it/m);
      const j = await vact(['status', '--json'], { env: { ...NO_ENV, VACT_STATE_DIR: stateDir } });
      assert.equal(j.code, 4);
      assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'UNREACHABLE');
      assert.equal(contacts, 0, 'nothing was sent to the port the dead agent used');
    } finally {
      decoy.close();
    }
    // After a clean stop too.
    await agent.start();
    const pid2 = agent.child!.pid!;
    assert.equal(await agent.stop(), 0);
    const r2 = await vact(['status', '--state-dir', stateDir], { env: NO_ENV });
    assert.equal(r2.code, 4);
    assert.match(r2.stderr, new RegExp(`no agent is running for ${esc(stateDir)} \\(last seen PID ${pid2}\\)`));
    const never = await vact(['status', '--state-dir', path.join(dir, 'never')], { env: NO_ENV });
    assert.equal(never.code, 4);
    assert.match(never.stderr, /none has run there/);
  });

  it('unknown commands, bad options and a bare `vact key` exit 2 in the one error format', async () => {
    for (const args of [['frobnicate'], ['key'], ['status', '--bogus', '--state-dir', stateDir], ['key', 'install']]) {
      const r = await vact(args, { env: NO_ENV });
      assert.equal(r.code, 2, `vact ${args.join(' ')}: ${r.stderr}`);
    }
    const u = await vact(['frobnicate']);
    assert.match(u.stderr, /^error USAGE \(1011\): The command line is not valid: unknown command 'frobnicate'\nwhat to do: /);
    const j = await vact(['--json', 'status', '--bogus']);
    assert.equal((JSON.parse(j.stdout) as { error: { code: string; number: number } }).error.number, 1011);
    const help = await vact(['--help']);
    assert.equal(help.code, 0);
    for (const line of [/^ {2}0 {3}ok$/m, /^ {2}2 {3}usage/m, /^ {2}4 {3}unreachable/m, /^ {2}5 {3}local state/m, /^ {2}70 {2}internal error$/m]) assert.match(help.stdout, line);
  });

  it('authority admin commands read the URL of a local authority from its dir; VACT_AUTHORITY_URL means --url', async () => {
    const group = new ProcessGroup();
    try {
      const a = await startAuthority(group);
      const issued = await group.runVact(['authority', 'key', 'issue', '--type', 'mak', '--group', 'client-vl', '--dir', a.dir, '--json'], { env: NO_ENV });
      assert.equal(issued.code, 0, issued.stderr);
      const key = parseJsonOutput<{ key: string }>(issued).key;
      const viaEnv = await group.runVact(['authority', 'key', 'info', key, '--token-file', path.join(a.dir, 'admin.token'), '--json'], { env: { ...NO_ENV, VACT_AUTHORITY_URL: a.url } });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      const pid = a.proc.child.pid;
      await a.proc.stop();
      const down = await group.runVact(['authority', 'key', 'list', '--dir', a.dir], { env: NO_ENV });
      assert.equal(down.code, 4, down.stderr);
      assert.match(down.stderr, new RegExp(`no authority is running for ${esc(a.dir)} \\(last seen PID ${pid}\\)`));
    } finally {
      await group.dispose();
    }
  });
});
