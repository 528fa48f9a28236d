// Real processes: a permanent refusal (MAK limit reached) is recorded, shown in status and not
// retried every 2 hours, not even after a restart; transient failures back off (with jitter).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { AgentEvent, StatusResult } from '@vact/shared';
import { AgentProcess, SigningAuthority, HARDWARE, makKey, writeHardware, useDaemonBench, type DaemonBench } from './daemon-harness';
import { vact } from '../agent-cli/cli-runner';

describe('activation retries (real processes, simulated clock)', function () {
  this.timeout(90_000);
  let dir: string;
  let authority: SigningAuthority;
  let bench: DaemonBench;
  useDaemonBench('vact-retry-', (b) => ({ dir, authority } = (bench = b)), 1);

  async function agentNamed(name: string): Promise<{ agent: AgentProcess; cli: (args: string[]) => ReturnType<typeof vact> }> {
    const hw = path.join(dir, `${name}.json`);
    writeHardware(hw, { ...HARDWARE, system: `sys-${name}`, machineId: `mid-${name}`, board: `board-${name}` });
    const stateDir = path.join(dir, name);
    const agent = bench.agentOn(stateDir, { hardwareFile: hw, clock: 'sim:2026-11-27T00:00:00Z' });
    await agent.start();
    return { agent, cli: (args) => vact([...args, '--state-dir', stateDir]) };
  }

  it('MAK limit reached: recorded, shown in status, not retried on the interval or after a restart', async () => {
    const a = await agentNamed('a');
    assert.equal((await a.cli(['key', 'install', makKey(41)])).code, 0);
    const b = await agentNamed('b');
    assert.equal((await b.cli(['key', 'install', makKey(41)])).code, 1);
    const asked = authority.requests;
    assert.equal((await b.cli(['clock', 'advance', '3d'])).code, 0);
    assert.equal(authority.requests, asked, 'no retry in 3 days');
    const s = JSON.parse((await b.cli(['status', '--json'])).stdout) as StatusResult;
    assert.equal(s.lastError?.code, 'MAK_LIMIT_REACHED');
    assert.equal(s.lastError?.permanent, true);
    assert.equal(s.nextAttemptAt, null);
    assert.match((await b.cli(['status'])).stdout, /Not retried: this refusal lasts until an administrator acts/);
    assert.equal(await b.agent.stop(), 0);
    await b.agent.start();
    assert.equal((await b.cli(['clock', 'advance', '1d'])).code, 0);
    assert.equal(authority.requests, asked, 'no retry after a restart either');
    // The administrator acts (here: `vact activate`): it is asked again.
    assert.equal((await b.cli(['activate'])).code, 1);
    assert.equal(authority.requests, asked + 1);
  });

  it('an unreachable authority: retries back off (2 h, 4 h, 8 h … ±20%), not every 2 hours', async () => {
    const c = await agentNamed('c');
    await authority.stop();
    assert.equal((await c.cli(['key', 'install', makKey(42)])).code, 4);
    assert.equal((await c.cli(['clock', 'advance', '31h'])).code, 0);
    const r = await c.cli(['events', '--json', '--id', '12288', '--limit', '1000']);
    const tries = (JSON.parse(r.stdout) as { events: AgentEvent[] }).events.filter((e) => e.message.startsWith('MAK')).map((e) => Date.parse(e.time));
    const gaps = tries.slice(1).map((t, i) => (t - tries[i]) / 3_600_000);
    assert.ok(tries.length >= 4 && tries.length <= 5, `attempts in 31 h: ${tries.length} (gaps ${gaps.join(', ')} h)`);
    for (let i = 0; i < gaps.length; i++) {
      const expected = 2 * 2 ** i;
      assert.ok(gaps[i] >= 0.8 * expected - 0.01 && gaps[i] <= 1.2 * expected + 0.01, `gap ${i + 1}: ${gaps[i]} h, expected about ${expected} h`);
    }
    const s = JSON.parse((await c.cli(['status', '--json'])).stdout) as StatusResult;
    assert.equal(s.lastError?.permanent, false);
    assert.notEqual(s.nextAttemptAt, null);
  });
});
