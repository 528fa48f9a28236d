// The daemon's structure as a user feels it: contacts never block the agent, the first start and
// a KMS host key are announced, a tampered state file is refused, a long sim advance starves nobody.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { once } from 'node:events';
import { encodeProductKey, referenceCatalogue } from '@vact/shared';
import type { AgentState } from '@vact/agent/state';
import { AgentProcess, RpcClient, SigningAuthority, makKey, runToExit, EDITION, useDaemonBench } from './daemon-harness';

const DAY = 86_400_000;

/** An "authority" that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; sockets: Set<net.Socket>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    assert.ok(i < 400, `timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('agent daemon: engine and channels (real processes)', function () {
  this.timeout(60_000);
  let dir = '', stateDir = '', hw = '', keyFile = '';
  let authority!: SigningAuthority;
  const { agents, clients } = useDaemonBench('vact-engine-', (b) => ({ dir, stateDir, hw, authority, keyFile } = b));

  async function start(authorityUrl = authority.url, clock = 'sim:2026-11-27T00:00:00Z'): Promise<{ agent: AgentProcess; rpc: RpcClient }> {
    const agent = new AgentProcess({ stateDir, authorityUrl, authorityKeyFile: keyFile, hardwareFile: hw, clock });
    agents.push(agent);
    await agent.start();
    const rpc = await RpcClient.connect(agent.url, stateDir);
    clients.push(rpc);
    return { agent, rpc };
  }

  it('status and admin calls answer while a MAK activation waits on an authority that never replies; SIGTERM aborts it', async () => {
    const silent = await silentServer();
    try {
      const { agent, rpc } = await start(silent.url);
      let installSettled = false;
      const install = rpc.call('key.install', { key: makKey(7) }).finally(() => {
        installSettled = true;
      });
      install.catch(() => undefined);
      await until('the activation request reached the authority', () => silent.sockets.size > 0);
      const status = await rpc.call('status', {});
      assert.equal(status.keyType, 'mak', 'the key is installed while its activation is under way');
      assert.equal(installSettled, false, 'status answered before the activation did');
      await rpc.call('events.query', { limit: 5 });
      assert.equal(installSettled, false);
      // Shutdown aborts the contact instead of waiting for the HTTP timeout.
      assert.equal(await agent.stop(), 0);
      assert.equal(installSettled, true);
    } finally {
      await silent.close();
    }
  });

  it('the first start announces the grace period: event 12420 and the first reminder', async () => {
    const { rpc } = await start();
    const events = (await rpc.call('events.query', { limit: 100 })).events;
    const ids = events.map((e) => e.eventId);
    assert.ok(ids.includes(12420), `grace started is logged (got ${ids.join(',')})`);
    assert.ok(ids.includes(12406), `the start of grace is the first reminder (got ${ids.join(',')})`);
  });

  it('a KMS host key that cannot be activated here fails loudly: an event and lastError, not a silent retry', async () => {
    const { rpc } = await start();
    const hostKey = encodeProductKey({ type: 'kms-host', group: 'client-vl', serial: 3 }, referenceCatalogue().groups.map((g) => g.id));
    await rpc.call('key.install', { key: hostKey });
    await until('the failed host activation is logged', async () => (await rpc.call('events.query', { eventIds: [12404], limit: 10 })).events.length > 0);
    const status = await rpc.call('status', {});
    assert.equal(status.keyType, 'kms-host');
    // This test authority serves MAKs only: the host activation is refused, and the refusal is kept.
    assert.notEqual(status.lastError, null);
    assert.notEqual(status.status, 'Licensed');
  });

  it('a long sim advance keeps answering: status is served while 100 days are walked', async () => {
    const { rpc } = await start();
    let advanced = false;
    const advance = rpc.call('clock.advance', { ms: 100 * DAY }).finally(() => {
      advanced = true;
    });
    let answeredDuring = 0;
    while (!advanced) {
      await rpc.call('status', {});
      if (!advanced) answeredDuring++;
    }
    await advance;
    assert.ok(answeredDuring > 0, 'status answered while the clock advanced');
    const status = await rpc.call('status', {});
    assert.equal(status.status, 'Notification');
  });

  describe('a tampered state file is refused with exit 5, naming the field, and kept', () => {
    const base = (): string[] => ['--state-dir', stateDir, '--edition', EDITION, '--authority', authority.url, '--authority-key', keyFile, '--control', '127.0.0.1:0', '--hardware', `file:${hw}`, '--clock', 'sim:2026-11-27T00:00:00Z'];

    async function tamper(edit: (s: AgentState) => void): Promise<void> {
      const { agent } = await start();
      for (const c of clients.splice(0)) c.close();
      assert.equal(await agent.stop(), 0);
      const file = path.join(stateDir, 'state.json');
      const state = JSON.parse(fs.readFileSync(file, 'utf8')) as AgentState;
      edit(state);
      fs.writeFileSync(file, JSON.stringify(state));
    }

    async function refused(field: RegExp): Promise<void> {
      const file = path.join(stateDir, 'state.json');
      const before = fs.readFileSync(file, 'utf8');
      const r = await runToExit(base());
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, field);
      assert.equal(fs.readFileSync(file, 'utf8'), before, 'the file is kept as it was');
    }

    it('Licensed by MAK without a ticket', async () => {
      await tamper((s) => {
        s.lifecycle.status = 'Licensed';
        s.lifecycle.channel = 'MAK';
        s.lifecycle.graceEndsAt = null;
        s.ticket = null;
      });
      await refused(/"ticket"/);
    });

    it('Licensed with a ticket signed by someone else', async () => {
      const { rpc, agent } = await start();
      await rpc.call('key.install', { key: makKey(9) });
      for (const c of clients.splice(0)) c.close();
      assert.equal(await agent.stop(), 0);
      // The same state under another authority key: the ticket no longer chains to the configured root.
      const other = new SigningAuthority();
      keyFile = other.writeKeyFile(path.join(dir));
      await refused(/"ticket"/);
    });

    it('grace 365 days longer than the catalogue allows', async () => {
      await tamper((s) => {
        s.lifecycle.graceEndsAt = (s.lifecycle.graceEndsAt ?? 0) + 365 * DAY;
      });
      await refused(/"lifecycle.graceEndsAt"/);
    });

    it('1000 rearms left', async () => {
      await tamper((s) => {
        s.lifecycle.remainingRearms = 1000;
      });
      await refused(/"lifecycle.remainingRearms"/);
    });

    it('a key of an unknown type', async () => {
      await tamper((s) => {
        (s.lifecycle.key as { type: string }).type = 'bogus';
      });
      await refused(/"lifecycle.key.type"/);
    });

    it('an empty admin.token: refused before the lifecycle acts, naming the file', async () => {
      await tamper(() => undefined);
      fs.writeFileSync(path.join(stateDir, 'admin.token'), '');
      const events = fs.readFileSync(path.join(stateDir, 'events.jsonl'), 'utf8');
      await refused(/admin\.token/);
      assert.equal(fs.readFileSync(path.join(stateDir, 'events.jsonl'), 'utf8'), events, 'nothing was logged: nothing acted');
    });

    it('temp files of a write killed with -9 are removed on the next start', async () => {
      await tamper(() => undefined);
      const stale = path.join(stateDir, '.state.json.999999.tmp');
      fs.writeFileSync(stale, '{"torn');
      await start();
      assert.equal(fs.existsSync(stale), false);
    });

    it('state.json as a directory', async () => {
      fs.mkdirSync(path.join(stateDir, 'state.json'), { recursive: true });
      const r = await runToExit(base());
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /state\.json is a directory/);
      assert.doesNotMatch(r.stderr, /EISDIR|at .*\.js:\d+/);
    });
  });
});
