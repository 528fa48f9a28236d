// One agent per state dir (real processes): a second `vact agent run` on the same dir is refused
// with exit 5 and writes nothing; a lock left by a dead process is replaced; a refused start on a
// new dir leaves no dir behind.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentProcess, SigningAuthority, runToExit, EDITION, useDaemonBench, type DaemonBench } from './daemon-harness';

/** Every file of a dir with its bytes and mtime. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    const st = fs.statSync(p);
    out[f] = st.isFile() ? `${st.mtimeMs} ${fs.readFileSync(p, 'base64')}` : 'dir';
  }
  return out;
}

/** The dir's snapshot once the agent has stopped writing (its first KMS attempt ends just after it listens). */
async function settledSnapshot(dir: string): Promise<Record<string, string>> {
  let last = snapshot(dir);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = snapshot(dir);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error(`${dir} kept changing for 10 s`);
}

describe('state dir lock (real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  let stateDir: string;
  let hw: string;
  let keyFile: string;
  let authority: SigningAuthority;
  let bench: DaemonBench;
  useDaemonBench('vact-lock-', (b) => ({ dir, stateDir, hw, keyFile, authority } = (bench = b)));

  function agentOn(state: string): AgentProcess {
    return bench.agentOn(state, { clock: 'sim' });
  }
  const runArgs = (state: string, edition = EDITION) => ['--state-dir', state, '--edition', edition, '--authority', authority.url, '--authority-key', keyFile,
    '--control', '127.0.0.1:0', '--clock', 'sim', '--hardware', `file:${hw}`];

  it('a second agent on the same dir: "state dir D is in use by PID n", exit 5, nothing written', async () => {
    const first = agentOn(stateDir);
    await first.start();
    const before = await settledSnapshot(stateDir);
    const control = fs.readFileSync(path.join(stateDir, 'control.json'), 'utf8');
    const r = await runToExit(runArgs(stateDir));
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`state dir ${stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by PID ${first.child!.pid}`));
    assert.match(r.stderr, /STATE_DIR_IN_USE/);
    assert.deepEqual(snapshot(stateDir), before, 'nothing in the dir changed');
    assert.equal(fs.readFileSync(path.join(stateDir, 'control.json'), 'utf8'), control);
    assert.deepEqual(JSON.parse(control), { url: first.url, pid: first.child!.pid });
  });

  it('a lock left by a killed agent, or by a pid now used by another process, is stale: the next agent starts', async () => {
    const first = agentOn(stateDir);
    await first.start();
    await first.kill();
    const lock = JSON.parse(fs.readFileSync(path.join(stateDir, 'agent.lock'), 'utf8')) as { pid: number; processStart: string | null };
    assert.ok(lock.pid > 0);
    const second = agentOn(stateDir);
    await second.start();
    assert.equal((JSON.parse(fs.readFileSync(path.join(stateDir, 'agent.lock'), 'utf8')) as { pid: number }).pid, second.child!.pid);
    await second.kill();
    // A live pid (this test runner) whose start time is not the one recorded: reused, so stale.
    fs.writeFileSync(path.join(stateDir, 'agent.lock'), JSON.stringify({ pid: process.pid, processStart: '1', startedAt: '2026-01-01T00:00:00.000Z' }));
    const third = agentOn(stateDir);
    await third.start();
  });

  it('a clean stop removes the lock and marks control.json stopped', async () => {
    const a = agentOn(stateDir);
    await a.start();
    const pid = a.child!.pid;
    const code = await a.stop();
    assert.equal(code, 0, `stop: ${a.stdout}\n${a.stderr}`);
    assert.equal(fs.existsSync(path.join(stateDir, 'agent.lock')), false);
    const info = JSON.parse(fs.readFileSync(path.join(stateDir, 'control.json'), 'utf8')) as { pid: number; stoppedAt?: string };
    assert.equal(info.pid, pid);
    assert.match(info.stoppedAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
  });

  it('a refused start leaves no half-made state dir behind', async () => {
    const fresh = path.join(dir, 'new', 'nested', 'state');
    const r = await runToExit(runArgs(fresh, 'no-such-edition'));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(fs.existsSync(path.join(dir, 'new')), false, 'the dirs this start made are gone');
    fs.mkdirSync(path.join(dir, 'kept'));
    const r2 = await runToExit(runArgs(path.join(dir, 'kept', 'state'), 'no-such-edition'));
    assert.equal(r2.code, 2);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'kept')), [], 'an existing parent is kept, the new dir is not');
  });
});
