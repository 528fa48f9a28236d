import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ControlNotification } from '@vact/shared';
import { AgentConnection, type AgentSnapshot } from './agent-connection';
import { backoffDelay } from './backoff';
import type { Connector, RpcConnection } from './control-connection';
import { Fleet } from './fleet';
import { readLabFolder, urlFromLog } from './lab-folder';
import { hostClient, hostStatus, kmsShow, status } from '../model/fixtures';

/** An in-memory agent: answers status/events, pushes notifications, can drop the socket. */
class FakeAgent {
  connects = 0;
  refuse = false;
  calls: string[] = [];
  current = status();
  count = 1;
  private notify: ((n: ControlNotification) => void) | null = null;
  private closeListener: (() => void) | null = null;
  readonly connect: Connector = (opts) => {
    this.connects++;
    if (this.refuse) return Promise.reject(new Error(`${opts.url}: ECONNREFUSED`));
    const rpc: RpcConnection = {
      role: opts.token === 'admin' ? 'admin' : 'user',
      call: ((method: string) => {
        this.calls.push(method);
        if (method === 'events.query') return Promise.resolve({ events: [] });
        if (method === 'kms.show') return Promise.resolve(kmsShow({ lastCount: this.count }));
        if (method === 'host.status') return Promise.resolve(hostStatus({ count: this.count }));
        if (method === 'host.clients') return Promise.resolve({ clients: [hostClient('pc-1')] });
        if (method === 'activate') this.current = status({ status: 'Licensed', statusCode: 1, channel: 'MAK', remainingMs: null });
        return Promise.resolve(this.current);
      }) as RpcConnection['call'],
      subscribe: () => Promise.resolve({ topics: ['state'] }),
      onNotification: (l) => {
        this.notify = l;
        return { dispose: () => (this.notify = null) };
      },
      onClose: (l) => (this.closeListener = l),
      close: () => {
        this.drop();
        return Promise.resolve();
      },
    };
    return Promise.resolve(rpc);
  };
  push(n: ControlNotification): void {
    this.notify?.(n);
  }
  drop(): void {
    const l = this.closeListener;
    this.closeListener = null;
    l?.();
  }
}

/** Timers run by hand. */
function manualTimers(): { setTimer: (fn: () => void, ms: number) => { dispose(): void }; delays: number[]; fire(): void } {
  const queue: (() => void)[] = [];
  const delays: number[] = [];
  return {
    delays,
    setTimer: (fn, ms) => {
      queue.push(fn);
      delays.push(ms);
      return { dispose: () => queue.splice(queue.indexOf(fn), 1) };
    },
    fire: () => queue.shift()?.(),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const quiet = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
const config = { id: 'a1', name: 'lab-1', url: 'ws://127.0.0.1:1' };

describe('extension agent connection', () => {
  it('connects, subscribes, reads the verbose status and shows pushed state changes without polling', async () => {
    const agent = new FakeAgent();
    const conn = new AgentConnection(config, 'admin', { connect: agent.connect, clientName: 't' });
    const seen: AgentSnapshot[] = [];
    conn.onDidChange((s) => seen.push(s));
    conn.start();
    await tick();
    assert.equal(conn.snapshot.kind, 'online');
    assert.equal(conn.snapshot.role, 'admin');
    assert.equal(conn.snapshot.status?.status, 'InitialGrace');
    const statusCalls = (): number => agent.calls.filter((m) => m === 'status').length;
    const callsBefore = statusCalls();
    agent.push({ method: 'license.stateChanged', params: { previous: 'InitialGrace', reason: 'activated', status: status({ status: 'Licensed', statusCode: 1 }) } });
    assert.equal(conn.snapshot.status?.status, 'Licensed');
    assert.equal(statusCalls(), callsBefore, 'a pushed change needs no status call (only the KMS section is read again)');
    assert.ok(seen.length >= 3);
    conn.dispose();
  });

  it('refreshes the status after an action', async () => {
    const agent = new FakeAgent();
    const conn = new AgentConnection(config, 'admin', { connect: agent.connect, clientName: 't' });
    conn.start();
    await tick();
    await conn.call('activate');
    assert.equal(conn.snapshot.status?.status, 'Licensed');
    assert.deepEqual(agent.calls.slice(-4), ['activate', 'status', 'events.query', 'kms.show']);
    conn.dispose();
  });

  it('goes offline when the agent goes away and reconnects with growing backoff', async () => {
    const agent = new FakeAgent();
    const timers = manualTimers();
    const conn = new AgentConnection(config, 'user', { connect: agent.connect, clientName: 't', setTimer: timers.setTimer, backoff: { initialMs: 100, maxMs: 1000, random: () => 1 } });
    conn.start();
    await tick();
    assert.equal(conn.snapshot.role, 'user');
    agent.refuse = true;
    agent.drop();
    assert.equal(conn.snapshot.kind, 'offline');
    timers.fire();
    await tick();
    timers.fire();
    await tick();
    assert.equal(conn.snapshot.kind, 'offline');
    assert.match(conn.snapshot.error ?? '', /ECONNREFUSED/);
    assert.deepEqual(timers.delays, [100, 200, 400]);
    await assert.rejects(conn.call('activate'), /offline/);
    agent.refuse = false;
    timers.fire();
    await tick();
    assert.equal(conn.snapshot.kind, 'online');
    assert.equal(agent.connects, 4);
    conn.dispose();
  });

  it('caps the backoff and keeps at least half of it (jitter)', () => {
    assert.equal(backoffDelay(20, { initialMs: 500, maxMs: 30_000, random: () => 1 }), 30_000);
    assert.equal(backoffDelay(0, { initialMs: 500, maxMs: 30_000, random: () => 0 }), 250);
  });

  it('fleet: starts, updates and drops connections to match the configuration, and forwards reminders', async () => {
    const agent = new FakeAgent();
    const fleet = new Fleet({ connect: agent.connect, clientName: 't' });
    const reminders: string[] = [];
    fleet.onReminder((r) => reminders.push(`${r.agent.name}: ${r.reminder.message}`));
    fleet.sync([config, { ...config, id: 'a2', name: 'lab-2' }], () => 'admin');
    await tick();
    assert.deepEqual(fleet.snapshots().map((s) => [s.config.name, s.kind]), [['lab-1', 'online'], ['lab-2', 'online']]);
    agent.push({ method: 'license.reminder', params: { status: 'InitialGrace', statusCode: 2, deadline: null, remainingMs: 1, message: '3 days left', at: '2026-12-01T10:00:00.000Z' } });
    assert.equal(reminders.length, 1);
    fleet.sync([{ ...config, name: 'renamed' }], () => 'admin');
    assert.deepEqual(fleet.snapshots().map((s) => s.config.name), ['renamed']);
    fleet.dispose();
  });
});

describe('extension agent connection: KMS data', () => {
  it('reads kms.show for a KMS client and again when a pushed event says the count changed', async () => {
    const agent = new FakeAgent();
    const conn = new AgentConnection(config, 'admin', { connect: agent.connect, clientName: 't', rereadDelayMs: 5 });
    conn.start();
    await tick();
    await tick();
    assert.equal(conn.snapshot.kms?.lastCount, 1);
    assert.equal(conn.snapshot.host, null);
    agent.count = 6;
    const before = agent.calls.length;
    agent.push({ method: 'event.logged', params: { event: { seq: 9, time: '2026-12-01T10:00:00.000Z', level: 'info', eventId: 12400, message: 'started' } } });
    await tick();
    assert.equal(agent.calls.length, before, 'an unrelated event reads nothing');
    agent.push({ method: 'event.logged', params: { event: { seq: 10, time: '2026-12-01T10:00:00.000Z', level: 'info', eventId: 12289, message: 'response' } } });
    await quiet();
    assert.equal(conn.snapshot.kms?.lastCount, 6);
    conn.dispose();
  });

  it('reads host.status and host.clients for a KMS host; a burst of host requests is read once, after it', async () => {
    const agent = new FakeAgent();
    agent.current = status({ keyType: 'kms-host', channel: 'KMS-host', status: 'Licensed', statusCode: 1, remainingMs: null });
    const conn = new AgentConnection(config, 'user', { connect: agent.connect, clientName: 't', rereadDelayMs: 5 });
    conn.start();
    await tick();
    await tick();
    assert.equal(conn.snapshot.host?.status.count, 1);
    assert.deepEqual(conn.snapshot.host?.clients.map((c) => c.machineName), ['pc-1']);
    assert.equal(conn.snapshot.kms, null);
    agent.count = 4;
    const before = agent.calls.filter((m) => m === 'host.status').length;
    for (let i = 0; i < 5; i++) agent.push({ method: 'event.logged', params: { event: { seq: 20 + i, time: '2026-12-01T10:00:00.000Z', level: 'info', eventId: 12290, message: 'request' } } });
    await quiet();
    assert.equal(conn.snapshot.host?.status.count, 4);
    assert.equal(agent.calls.filter((m) => m === 'host.status').length - before, 1, 'a burst of pushed events is read once');
    conn.dispose();
  });
});

describe('extension lab folder', () => {
  it('reads run.json when the lab wrote one: names, roles, editions, control URLs, tokens from the state dirs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-lab-'));
    try {
      const agents = [['kms-host', 'kms-host', 'server-standard', 41001], ['client-1', 'kms-client', 'client-enterprise', 41002], ['gone-1', 'mak', 'client-enterprise', 41003]] as const;
      for (const [name, , , port] of agents) {
        if (name === 'gone-1') continue;
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(path.join(dir, name, 'admin.token'), `tok-${name}\n`);
        fs.writeFileSync(path.join(dir, `${name}.log`), `vact agent listening on ws://127.0.0.1:${port + 100}\n`);
      }
      const run = { pid: process.pid, startedAt: '2026-12-01T10:00:00.000Z', clock: 'sim', authority: { url: 'http://127.0.0.1:1', dir: path.join(dir, 'authority'), publicKey: 'k' }, discovery: { kind: 'static', detail: '127.0.0.1:1688' },
        agents: agents.map(([name, role, edition, port]) => ({ name, role, edition, control: `ws://127.0.0.1:${port}`, stateDir: path.join(dir, name) })) };
      fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run));
      assert.deepEqual(readLabFolder(dir), [
        { name: 'client-1', url: 'ws://127.0.0.1:41002', token: 'tok-client-1', role: 'admin', lab: { role: 'kms-client', edition: 'client-enterprise' } },
        { name: 'kms-host', url: 'ws://127.0.0.1:41001', token: 'tok-kms-host', role: 'admin', lab: { role: 'kms-host', edition: 'server-standard' } },
      ]);
      fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...run, agents: [{ name: 'x' }] }));
      assert.throws(() => readLabFolder(dir), /run\.json: agents\.0\.role/);
      fs.writeFileSync(path.join(dir, 'run.json'), '{');
      assert.throws(() => readLabFolder(dir), /run\.json is not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads agents, URLs and tokens the way `vact lab` writes them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-lab-'));
    try {
      for (const [name, port, admin] of [['mak-1', 40001, true], ['grace-2', 40002, false]] as const) {
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(path.join(dir, name, admin ? 'admin.token' : 'user.token'), `tok-${name}\n`);
        fs.writeFileSync(path.join(dir, `${name}.log`), `old\nvact agent listening on ws://127.0.0.1:1\nvact agent listening on ws://127.0.0.1:${port}\n`);
      }
      fs.mkdirSync(path.join(dir, 'authority'));
      assert.deepEqual(readLabFolder(dir), [
        { name: 'grace-2', url: 'ws://127.0.0.1:40002', token: 'tok-grace-2', role: 'user' },
        { name: 'mak-1', url: 'ws://127.0.0.1:40001', token: 'tok-mak-1', role: 'admin' },
      ]);
      assert.equal(urlFromLog('nothing here'), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
