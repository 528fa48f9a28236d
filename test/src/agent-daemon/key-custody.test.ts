// The MAK is not kept in clear once it has activated the machine (slmgr /cpky): the agent keeps
// its seal to the authority and reactivates, and shows installation IDs, from the seal alone.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentState } from '@vact/agent/state';
import { AgentProcess, RpcClient, SigningAuthority, makKey, runToExit, useDaemonBench } from './daemon-harness';

describe('agent daemon: MAK custody (real processes)', function () {
  this.timeout(60_000);
  let stateDir = '', hw = '', keyFile = '';
  let authority!: SigningAuthority;
  const { agents, clients } = useDaemonBench('vact-custody-', (b) => ({ stateDir, hw, authority, keyFile } = b));

  async function start(): Promise<{ agent: AgentProcess; rpc: RpcClient }> {
    const agent = new AgentProcess({ stateDir, authorityUrl: authority.url, authorityKeyFile: keyFile, hardwareFile: hw, clock: 'sim:2026-11-27T00:00:00Z' });
    agents.push(agent);
    await agent.start();
    const rpc = await RpcClient.connect(agent.url, stateDir);
    clients.push(rpc);
    return { agent, rpc };
  }

  async function stop(agent: AgentProcess): Promise<void> {
    for (const c of clients.splice(0)) c.close();
    assert.equal(await agent.stop(), 0);
  }

  const stateText = (): string => fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8');
  const state = (): AgentState => JSON.parse(stateText()) as AgentState;

  function assertKeyOnlySealed(key: string): void {
    const text = stateText();
    assert.ok(!text.includes(key) && !text.includes(key.replace(/-/g, '')), 'the full MAK is not in state.json');
    const s = state();
    assert.deepEqual(s.lifecycle.key, { key: null, type: 'mak', group: 'client-vl', partialKey: key.slice(-5) });
    assert.ok(s.keySeal, 'the seal is kept');
  }

  it('after activation state.json has only the partial key and the seal; activate, rearm and offline iid work from the seal', async () => {
    const key = makKey(11);
    const { rpc } = await start();
    const before = await rpc.call('offline.iid', {}).catch((e: unknown) => e);
    assert.equal((before as { code?: string }).code, 'WRONG_CHANNEL', 'no MAK yet');
    const install = await rpc.call('key.install', { key });
    assert.equal(install.activation.succeeded, true);
    assert.equal(install.status.status, 'Licensed');
    assertKeyOnlySealed(key);
    assert.deepEqual(authority.keysSeen, ['clear']);
    const iid = (await rpc.call('offline.iid', {})).installationId;
    assert.match(iid, /^(\d{6}-){43}\d{6}$/);

    // `vact activate` on the activated machine reactivates with the seal: the authority sees no clear key.
    await rpc.call('activate', {});
    assert.deepEqual(authority.keysSeen, ['clear', 'sealed']);
    assert.equal((await rpc.call('status', {})).status, 'Licensed');
    // Installing the same key again keeps the activation and the seal (and does not leave a Licensed state without its ticket).
    const seal = state().keySeal;
    const again = await rpc.call('key.install', { key });
    assert.equal(again.status.status, 'Licensed');
    assert.deepEqual(state().keySeal, seal);
    assert.notEqual(state().ticket, null);
    assertKeyOnlySealed(key);

    // A rearm makes a new CMID and a fresh grace; the follow-up activation is made from the seal.
    await rpc.call('rearm', {});
    for (let i = 0; (await rpc.call('status', {})).status !== 'Licensed'; i++) {
      assert.ok(i < 200, 'reactivated after the rearm');
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(authority.keysSeen.at(-1), 'sealed');
    assertKeyOnlySealed(key);
    assert.notEqual((await rpc.call('offline.iid', {})).installationId, iid, 'a new CMID, a new installation ID');

    const removed = await rpc.call('key.uninstall', {});
    assert.equal(removed.status, 'Unlicensed');
    assert.equal(state().keySeal, null);
    assert.equal(state().lifecycle.key, null);
  });

  it('a version 2 state with an activated MAK in clear is migrated: sealed and dropped at the next start', async () => {
    const key = makKey(12);
    const first = await start();
    await first.rpc.call('key.install', { key });
    await stop(first.agent);
    // What an older agent wrote: version 2, the key in clear, no seal.
    const old = state() as unknown as Record<string, unknown> & { lifecycle: { key: { key: string | null } } };
    old.version = 2;
    old.lifecycle.key.key = key;
    delete old.keySeal;
    fs.writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify(old));

    const { rpc } = await start();
    assert.equal(state().version, 3);
    assertKeyOnlySealed(key);
    assert.equal((await rpc.call('status', {})).status, 'Licensed');
    await rpc.call('activate', {});
    assert.equal(authority.keysSeen.at(-1), 'sealed');
  });

  it('a state whose MAK is neither in clear nor sealed is refused, naming the field', async () => {
    const key = makKey(13);
    const first = await start();
    await first.rpc.call('key.install', { key });
    await stop(first.agent);
    const s = state();
    s.keySeal = null;
    fs.writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify(s));
    const agent = new AgentProcess({ stateDir, authorityUrl: authority.url, authorityKeyFile: keyFile, hardwareFile: hw, clock: 'sim:2026-11-27T00:00:00Z' });
    const r = await runToExit(agent.args().slice(3));
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /lifecycle\.key\.key/);
  });
});
