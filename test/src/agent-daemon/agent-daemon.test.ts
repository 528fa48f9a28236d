// `vact agent run` as a real process: first start, restart in every status, sim-clock grace, hardware, refusals.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StatusResult } from '@vact/shared';
import { AgentProcess, RpcClient, SigningAuthority, HARDWARE, makKey, runToExit, writeHardware, EDITION, useDaemonBench } from './daemon-harness';

const DAY = 86_400_000;

describe('agent daemon (real processes)', function () {
  this.timeout(60_000);
  let dir = '', stateDir = '', hw = '', keyFile = '';
  let authority!: SigningAuthority;
  const { agents, clients } = useDaemonBench('vact-daemon-', (b) => ({ dir, stateDir, hw, authority, keyFile } = b), 1);

  async function startAgent(opts: { clock?: string; state?: string } = {}): Promise<{ agent: AgentProcess; rpc: RpcClient }> {
    const agent = new AgentProcess({ stateDir: opts.state ?? stateDir, authorityUrl: authority.url, authorityKeyFile: keyFile, hardwareFile: hw, clock: opts.clock ?? 'sim:2026-11-27T00:00:00Z' });
    agents.push(agent);
    await agent.start();
    const rpc = await RpcClient.connect(agent.url, opts.state ?? stateDir);
    clients.push(rpc);
    return { agent, rpc };
  }

  /** How many hardware scans the agent has logged (within tolerance, beyond it, or failed). */
  async function scansLogged(rpc: RpcClient): Promise<number> {
    return (await rpc.call('events.query', { eventIds: [12408, 12409, 12415], limit: 1000 })).events.length;
  }

  /** Stops and starts the agent, and waits for its background hardware scan so that a test's own hardware change is never raced by it. */
  async function restart(agent: AgentProcess): Promise<RpcClient> {
    const before = clients.length ? await scansLogged(clients[clients.length - 1]) : 0;
    for (const c of clients.splice(0)) c.close();
    assert.equal(await agent.stop(), 0, 'a clean stop exits 0');
    await agent.start();
    const rpc = await RpcClient.connect(agent.url, stateDir);
    clients.push(rpc);
    for (let i = 0; (await scansLogged(rpc)) <= before; i++) {
      assert.ok(i < 200, 'the background hardware scan after a restart is logged');
      await new Promise((r) => setTimeout(r, 50));
    }
    return rpc;
  }

  it('first start: CMID, hardware hash, KMS client setup key, 30-day grace, 0600 tokens; KMS ends in NO_KMS_HOST', async () => {
    const { rpc } = await startAgent();
    // The first KMS attempt runs in the background after start: wait for its outcome, not for a moment.
    let s = await rpc.call('status', { verbose: true });
    for (let i = 0; s['lastError'] === undefined; i++) {
      assert.ok(i < 200, 'the first KMS attempt ends within 10 s');
      await new Promise((r) => setTimeout(r, 50));
      s = await rpc.call('status', { verbose: true });
    }
    assert.match(s['cmid'], /^[0-9a-f]{32}$/);
    assert.match(s['hardwareHash'], /^[0-9a-f]{32}$/);
    assert.equal(s['status'], 'InitialGrace');
    assert.equal(s['statusCode'], 2);
    assert.equal(s['edition'], EDITION);
    assert.equal(s['keyType'], 'kms-client');
    assert.equal(Date.parse(s['graceEndsAt']!) - Date.parse('2026-11-27T00:00:00Z'), 30 * DAY);
    assert.equal(s['lastError']?.code, 'NO_KMS_HOST');
    await assert.rejects(rpc.call('activate'), (e: Error & { code?: string }) => e.code === 'NO_KMS_HOST');
    for (const f of ['user.token', 'admin.token', 'state.json']) assert.equal(fs.statSync(path.join(stateDir, f)).mode & 0o777, 0o600, f);
    const log = fs.readFileSync(path.join(stateDir, 'agent.log'), 'utf8');
    for (const f of ['user.token', 'admin.token']) assert.ok(!log.includes(fs.readFileSync(path.join(stateDir, f), 'utf8').trim()), 'tokens never logged');
    const key = makKey(77);
    await rpc.call('key.install', { key });
    assert.ok(!fs.readFileSync(path.join(stateDir, 'agent.log'), 'utf8').includes(key), 'full keys never logged');
    assert.ok(!fs.readFileSync(path.join(stateDir, 'events.jsonl'), 'utf8').includes(key), 'full keys never in events');
  });

  it('restart keeps the state in every status', async () => {
    const started = await startAgent();
    const agent = started.agent;
    let rpc = started.rpc;
    const pick = (s: StatusResult) => ({ status: s['status'], partialKey: s['partialKey'], cmid: s['cmid'], graceEndsAt: s['graceEndsAt'], remainingRearms: s['remainingRearms'] });
    const check = async (expected: string) => {
      const before = pick(await rpc.call('status'));
      assert.equal(before.status, expected);
      rpc = await restart(agent);
      assert.deepEqual(pick(await rpc.call('status')), before, `restart in ${expected}`);
    };
    await check('InitialGrace');
    await rpc.call('clock.advance', { ms: 31 * DAY });
    await check('Notification');
    await rpc.call('key.uninstall');
    await check('Unlicensed');
    const installed = await rpc.call('key.install', { key: makKey(1) });
    assert.equal(installed['activation'].succeeded, true);
    await check('Licensed');
    writeHardware(hw, { ...HARDWARE, board: 'new board', system: 'new system', disks: ['new disk'] });
    const rescan = await rpc.call('hardware.rescan');
    assert.equal(rescan['withinTolerance'], false);
    await check('OutOfToleranceGrace');
  });

  it('a 30-day grace plays out on the sim clock: reminders in order, more often near the end, then Notification', async () => {
    const { rpc } = await startAgent();
    const start = Date.parse((await rpc.call('clock.now'))['now']);
    await rpc.call('subscribe', { topics: ['reminder', 'state'] });
    await rpc.call('clock.advance', { ms: 30 * DAY + 3_600_000 });
    const s = await rpc.call('status');
    assert.equal(s['status'], 'Notification');
    const events = (await rpc.call('events.query', { eventIds: [12406], limit: 1000 }))['events'];
    const times = events.map((e) => Date.parse(e.time)).filter((t) => t > start);
    assert.ok(times.length >= 27 + 12 + 23, `reminders: ${times.length}`);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] > times[i - 1], 'reminders in time order');
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps.slice(0, 10).every((g) => g >= DAY - 1000), 'daily at first');
    assert.ok(gaps.slice(-10).every((g) => g <= 3_600_000), 'hourly at the end');
    // Pushed to subscribers too.
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(rpc.notifications.some((n) => n.method === 'license.reminder'));
    assert.ok(rpc.notifications.some((n) => n.method === 'license.stateChanged' && n.params.status.status === 'Notification'));
  });

  it('hardware: one component changed stays licensed; three changed is OutOfToleranceGrace with a new CMID (clone)', async () => {
    const { rpc } = await startAgent();
    await rpc.call('key.install', { key: makKey(5) });
    const before = await rpc.call('status');
    assert.equal(before['status'], 'Licensed');
    writeHardware(hw, { ...HARDWARE, macs: ['02:fc:00:00:00:99'] });
    const one = await rpc.call('hardware.rescan');
    assert.equal(one['withinTolerance'], true);
    assert.deepEqual(one['changedComponents'], ['macs']);
    assert.equal(one['hardwareHash'], before['hardwareHash'], 'identity hash unchanged within tolerance');
    assert.equal(one['status'].status, 'Licensed');
    writeHardware(hw, { ...HARDWARE, cpu: 'other cpu', mem: 64 * 1024 ** 3, disks: ['other disk'] });
    const three = await rpc.call('hardware.rescan');
    assert.equal(three['withinTolerance'], false);
    assert.notEqual(three['hardwareHash'], before['hardwareHash']);
    assert.equal(three['status'].status, 'OutOfToleranceGrace');
    assert.notEqual(three['status'].cmid, before['cmid'], 'new CMID on different hardware');
    const clone = (await rpc.call('events.query', { eventIds: [12410] }))['events'];
    assert.ok(clone.some((e) => /clone/.test(e.message)));
    writeHardware(hw, { ...HARDWARE, gpu: 'x' });
    await assert.rejects(rpc.call('hardware.rescan'), /unknown key "gpu"/);
  });

  it('MAK limit reached on another machine is a clear error and the key stays installed', async () => {
    const { rpc } = await startAgent();
    const key = makKey(9);
    assert.equal((await rpc.call('key.install', { key }))['activation'].succeeded, true);
    const otherHw = path.join(dir, 'hw2.json');
    writeHardware(otherHw, { ...HARDWARE, board: 'b2', system: 's2', machineId: 'm2', macs: ['02:00:00:00:00:02'] });
    const other = new AgentProcess({ stateDir: path.join(dir, 'state2'), authorityUrl: authority.url, authorityKeyFile: keyFile, hardwareFile: otherHw, clock: 'sim' });
    agents.push(other);
    await other.start();
    const rpc2 = await RpcClient.connect(other.url, path.join(dir, 'state2'));
    clients.push(rpc2);
    const r = await rpc2.call('key.install', { key });
    assert.equal(r['activation'].succeeded, false);
    assert.equal(r['activation'].error?.code, 'MAK_LIMIT_REACHED');
    assert.equal(r['status'].lastError?.code, 'MAK_LIMIT_REACHED');
    await assert.rejects(rpc2.call('activate'), (e: Error & { code?: string }) => e.code === 'MAK_LIMIT_REACHED');
  });

  it('rearm: three times, each a fresh grace and CMID, then refused; the user token cannot rearm', async () => {
    const { agent, rpc } = await startAgent();
    const user = await RpcClient.connect(agent.url, stateDir, 'user');
    clients.push(user);
    await assert.rejects(user.call('rearm'), (e: Error & { code?: string }) => e.code === 'NEEDS_ADMIN');
    const cmids = new Set<string>([(await rpc.call('status'))['cmid']]);
    for (let i = 2; i >= 0; i--) {
      await rpc.call('clock.advance', { ms: 10 * DAY });
      const s = await rpc.call('rearm');
      assert.equal(s['remainingRearms'], i);
      assert.equal(Date.parse(s['graceEndsAt']!) - Date.parse(s['now']), 30 * DAY);
      cmids.add(s['cmid']);
    }
    assert.equal(cmids.size, 4);
    await assert.rejects(rpc.call('rearm'), (e: Error & { code?: string }) => e.code === 'REARM_LIMIT_REACHED');
  });

  it('a clock set backwards never extends grace', async () => {
    const { agent, rpc } = await startAgent({ clock: 'sim:2026-11-27T00:00:00Z' });
    await rpc.call('clock.advance', { ms: 10 * DAY });
    const before = await rpc.call('status');
    for (const c of clients.splice(0)) c.close();
    await agent.stop();
    // Restart with the clock 20 days earlier: the trusted time stays.
    agent.opts.clock = 'sim:2026-11-17T00:00:00Z';
    await agent.start();
    const rpc2 = await RpcClient.connect(agent.url, stateDir);
    clients.push(rpc2);
    const after = await rpc2.call('status');
    assert.equal(after['graceEndsAt'], before['graceEndsAt']);
    assert.ok(after['remainingMs']! <= before['remainingMs']!);
  });

  it('refuses a corrupt or unknown-version state file with exit 5 and keeps it untouched', async () => {
    fs.mkdirSync(stateDir, { recursive: true });
    const base = ['--state-dir', stateDir, '--edition', EDITION, '--authority', authority.url, '--authority-key', keyFile, '--control', '127.0.0.1:0', '--hardware', `file:${hw}`];
    for (const [text, code] of [['{"version": 2, "cm', 'STATE_CORRUPT'], ['{"version": 99}', 'unsupported version']] as const) {
      fs.writeFileSync(path.join(stateDir, 'state.json'), text);
      const r = await runToExit(base);
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, code === 'STATE_CORRUPT' ? /state file is corrupt/ : /unsupported version/);
      assert.equal(fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8'), text);
    }
  });

  it('missing or invalid settings: one clear message naming the setting, exit 2', async () => {
    const r1 = await runToExit(['--state-dir', stateDir, '--authority', authority.url, '--authority-key', keyFile]);
    assert.equal(r1.code, 2);
    assert.match(r1.stderr, /--edition .*is required/);
    const r2 = await runToExit(['--state-dir', stateDir, '--edition', 'no-such-edition', '--authority', authority.url, '--authority-key', keyFile, '--control', '127.0.0.1:0']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /no-such-edition/);
    const cfg = path.join(dir, 'agent.json');
    fs.writeFileSync(cfg, JSON.stringify({ stateDir: 'state', edition: EDITION, authority: authority.url, authorityKey: keyFile, control: '127.0.0.1:0', hardware: 'file:hw.json', clock: 'sim' }));
    const agent = new AgentProcess({ stateDir, authorityUrl: authority.url, authorityKeyFile: keyFile });
    agent.args = () => [path.resolve(__dirname, '../../../agent/bin/vact.js'), 'agent', 'run', '--config', cfg];
    agents.push(agent);
    await agent.start();
    assert.ok(fs.existsSync(path.join(stateDir, 'state.json')), 'config file paths resolve relative to the file');
  });
});
