import assert from 'node:assert/strict';
import { VactError, type ControlRole } from '@vact/shared';
import { ControlSession, CLOSE_POLICY } from './session';
import { FakeAgentService } from './testing/fake-agent-service';

const TOKENS: Record<string, ControlRole> = { 'user-token': 'user', 'admin-token': 'admin' };

function makeSession(opts: { headerRole?: ControlRole | null; limited?: boolean } = {}) {
  const service = new FakeAgentService();
  const failures: string[] = [];
  const logs: string[] = [];
  const session = new ControlSession({
    service,
    remoteAddress: '127.0.0.1',
    headerRole: opts.headerRole ?? null,
    authenticate: (t) => TOKENS[t] ?? null,
    recordAuthFailure: () => failures.push('x'),
    isRateLimited: () => opts.limited === true,
    log: (m) => logs.push(m),
    maxBatch: 4,
  });
  return { service, session, failures, logs };
}

async function call(session: ControlSession, method: string, params?: unknown, id: number | string = 1) {
  const out = await session.handleMessage(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
  return out;
}

function err(out: { reply: unknown }): { code: number; data: { code: string; number: number; hint: string; message: string } } {
  return (out.reply as { error: { code: number; data: { code: string; number: number; hint: string; message: string } } }).error;
}
function result<T = Record<string, unknown>>(out: { reply: unknown }): T {
  const r = out.reply as { result?: T; error?: unknown };
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  return r.result as T;
}

async function ready(role: ControlRole = 'admin') {
  const s = makeSession();
  const out = await call(s.session, 'handshake', { protocol: 1, token: `${role}-token` });
  assert.equal(result<{ role: string }>(out).role, role);
  return s;
}

describe('control session (JSON-RPC dispatcher)', () => {
  describe('envelope', () => {
    it('answers a parse error with -32700 and id null', async () => {
      const { session } = makeSession();
      const out = await session.handleMessage('{not json');
      assert.deepEqual((out.reply as { id: unknown }).id, null);
      assert.equal(err(out).code, -32700);
      assert.equal(err(out).data.code, 'INVALID_REQUEST');
    });

    it('rejects requests that are not JSON-RPC 2.0 objects with -32600', async () => {
      const { session } = await ready();
      for (const msg of ['42', '"x"', 'null', JSON.stringify({ id: 1, method: 'status' }), JSON.stringify({ jsonrpc: '2.0', id: 1 }), JSON.stringify({ jsonrpc: '2.0', id: { a: 1 }, method: 'status' })]) {
        const out = await session.handleMessage(msg);
        assert.equal(err(out).code, -32600, msg);
      }
    });

    it('answers an unknown method with -32601', async () => {
      const { session } = await ready();
      const out = await call(session, 'no.such.method');
      assert.equal(err(out).code, -32601);
      assert.match(err(out).data.message, /no method "no.such.method"/);
    });

    it('answers invalid params with -32602 naming the field, without calling the service', async () => {
      const { session, service } = await ready();
      const before = service.state.calls.length;
      for (const params of [{ key: 42 }, { key: 'A'.repeat(65) }, { key: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', extra: true }, ['AAAAA'], 'str']) {
        const out = await call(session, 'key.install', params);
        assert.equal(err(out).code, -32602, JSON.stringify(params));
      }
      const out = await call(session, 'clock.advance', { ms: -5 });
      assert.equal(err(out).code, -32602);
      assert.match(err(out).data.message, /ms/);
      assert.equal(service.state.calls.length, before);
    });

    it('treats missing params as {}', async () => {
      const { session } = await ready();
      assert.equal(result<{ status: string }>(await call(session, 'status')).status, 'InitialGrace');
    });

    it('sends no reply to a notification (no id) but runs it', async () => {
      const { session, service } = await ready();
      const out = await session.handleMessage(JSON.stringify({ jsonrpc: '2.0', method: 'clock.advance', params: { ms: 1000 } }));
      assert.equal(out.reply, null);
      assert.equal(service.state.calls.at(-1)?.method, 'clockAdvance');
    });

    it('echoes string ids', async () => {
      const { session } = await ready();
      const out = await call(session, 'clock.now', {}, 'abc');
      assert.equal((out.reply as { id: unknown }).id, 'abc');
    });
  });

  describe('handshake and roles', () => {
    it('refuses any call before the handshake and asks to close the connection', async () => {
      const { session, service } = makeSession();
      const out = await call(session, 'status');
      assert.equal(err(out).data.code, 'UNAUTHORIZED');
      assert.equal(out.close?.code, CLOSE_POLICY);
      assert.equal(service.state.calls.length, 0);
    });

    it('refuses a wrong token, counts the failure and closes', async () => {
      const { session, failures } = makeSession();
      const out = await call(session, 'handshake', { protocol: 1, token: 'guess' });
      assert.equal(err(out).code, 6000);
      assert.equal(err(out).data.number, 6000);
      assert.equal(failures.length, 1);
      assert.equal(out.close?.code, CLOSE_POLICY);
      assert.equal(session.authenticatedRole, null);
    });

    it('refuses a handshake without any token', async () => {
      const { session, failures } = makeSession();
      const out = await call(session, 'handshake', { protocol: 1 });
      assert.equal(err(out).data.code, 'UNAUTHORIZED');
      assert.equal(failures.length, 1);
    });

    it('accepts the role proven by the Authorization header', async () => {
      const { session } = makeSession({ headerRole: 'user' });
      const r = result<{ role: string; protocol: number; agent: { clock: string } }>(await call(session, 'handshake', { protocol: 1 }));
      assert.equal(r.role, 'user');
      assert.equal(r.protocol, 1);
      assert.equal(r.agent.clock, 'sim');
    });

    it('refuses another protocol version with VERSION_MISMATCH naming both', async () => {
      const { session } = makeSession();
      const out = await call(session, 'handshake', { protocol: 2, token: 'user-token' });
      assert.equal(err(out).data.code, 'VERSION_MISMATCH');
      assert.match(err(out).data.message, /2.*1/);
      assert.equal(session.authenticatedRole, null);
    });

    it('refuses a second handshake', async () => {
      const { session } = await ready('user');
      const out = await call(session, 'handshake', { protocol: 1, token: 'admin-token' });
      assert.equal(err(out).code, -32600);
      assert.equal(session.authenticatedRole, 'user');
    });

    it('refuses wrong tokens while the peer is rate limited, but never a valid one', async () => {
      const { session } = makeSession({ limited: true });
      const out = await call(session, 'handshake', { protocol: 1, token: 'guess' });
      assert.equal(err(out).data.code, 'RATE_LIMITED');
      assert.equal(session.authenticatedRole, null);
      const ok = makeSession({ limited: true });
      assert.equal(result<{ role: string }>(await call(ok.session, 'handshake', { protocol: 1, token: 'admin-token' })).role, 'admin');
    });

    it('sends no reply to a notification before the handshake, and still closes (JSON-RPC 2.0)', async () => {
      const { session, service } = makeSession();
      const out = await session.handleMessage(JSON.stringify({ jsonrpc: '2.0', method: 'status' }));
      assert.equal(out.reply, null);
      assert.equal(out.close?.code, CLOSE_POLICY);
      assert.equal(service.state.calls.length, 0);
    });

    it('sends no reply to a batch of notifications before the handshake, and still closes', async () => {
      const { session, service } = makeSession();
      const out = await session.handleMessage(JSON.stringify([{ jsonrpc: '2.0', method: 'status' }, { jsonrpc: '2.0', method: 'rearm' }]));
      assert.equal(out.reply, null);
      assert.equal(out.close?.code, CLOSE_POLICY);
      assert.equal(service.state.calls.length, 0);
    });

    it("reports the agent's clock as serverTime, not the wall clock (--clock sim)", async () => {
      const { session, service } = makeSession();
      service.state.now = Date.parse('2031-05-06T07:08:09.000Z');
      const r = result<{ serverTime: string }>(await call(session, 'handshake', { protocol: 1, token: 'user-token' }));
      assert.equal(r.serverTime, '2031-05-06T07:08:09.000Z');
    });

    it('a user token gets NEEDS_ADMIN for every admin method and the service is never called', async () => {
      const { session, service } = await ready('user');
      const admin: [string, unknown][] = [
        ['key.install', { key: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' }], ['key.uninstall', {}], ['rearm', {}],
        ['offline.confirm', { confirmationId: 'GOOD' }], ['hardware.rescan', {}], ['clock.advance', { ms: 1000 }],
      ];
      const before = service.state.calls.length;
      for (const [m, p] of admin) {
        const out = await call(session, m, p);
        assert.equal(err(out).code, 6001, m);
        assert.equal(err(out).data.code, 'NEEDS_ADMIN');
        assert.ok(err(out).data.hint.length > 0);
      }
      assert.equal(service.state.calls.length, before);
      assert.equal(service.state.remainingRearms, 3);
    });

    it('a user token may read status, expiry, events, clock, offline iid, activate and subscribe', async () => {
      const { session } = await ready('user');
      for (const m of ['status', 'expiry', 'events.query', 'clock.now', 'subscribe', 'unsubscribe']) {
        result(await call(session, m, {}));
      }
      assert.equal(err(await call(session, 'activate')).data.code, 'NO_KMS_HOST');
      assert.equal(err(await call(session, 'offline.iid')).data.code, 'WRONG_CHANNEL');
    });

    it('passes the caller role to the service', async () => {
      const { session, service } = await ready('admin');
      await call(session, 'rearm');
      assert.deepEqual(service.state.calls.at(-1), { method: 'rearm', role: 'admin' });
    });
  });

  describe('errors from the service', () => {
    it('maps a VactError to its catalogue number with code, message and hint', async () => {
      const { session, service } = await ready();
      service.state.remainingRearms = 0;
      const e = err(await call(session, 'rearm'));
      assert.equal(e.code, 4002);
      assert.deepEqual(Object.keys(e.data).sort(), ['code', 'hint', 'message', 'number']);
      assert.equal(e.data.code, 'REARM_LIMIT_REACHED');
    });

    it('hides unexpected exceptions behind -32603 INTERNAL', async () => {
      const { session, service, logs } = await ready();
      service.status = () => Promise.reject(new TypeError('secret internals at /root/x'));
      const e = err(await call(session, 'status'));
      assert.equal(e.code, -32603);
      assert.equal(e.data.code, 'INTERNAL');
      assert.doesNotMatch(e.data.message, /secret/);
      assert.ok(logs.length > 0);
    });

    it('refuses to send a result that does not match the schema', async () => {
      const { session, service, logs } = await ready();
      service.clockNow = () => Promise.resolve({ now: 'yesterday' } as never);
      const e = err(await call(session, 'clock.now'));
      assert.equal(e.code, -32603);
      assert.ok(logs.some((l) => /schema/.test(l)));
    });

    it('keeps a VactError detail in the message', async () => {
      const { session } = await ready();
      const e = err(await call(session, 'key.install', { key: 'nope' }));
      assert.equal(e.data.code, 'INVALID_KEY');
      assert.equal(e.data.message, new VactError('INVALID_KEY', 'expected 25 characters in five groups of five').message);
    });
  });

  describe('batches', () => {
    it('answers each call of a batch, leaving out notifications', async () => {
      const { session } = await ready();
      const out = await session.handleMessage(JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'status' },
        { jsonrpc: '2.0', method: 'clock.now' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
        7,
      ]));
      const replies = out.reply as { id: unknown; error?: { code: number } }[];
      assert.equal(replies.length, 3);
      assert.equal(replies[0].id, 1);
      assert.equal(replies[1].error?.code, -32601);
      assert.equal(replies[2].error?.code, -32600);
    });

    it('rejects an empty batch and an oversized batch with one error', async () => {
      const { session } = await ready();
      assert.equal(err(await session.handleMessage('[]')).code, -32600);
      const big = JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'status' })));
      const e = err(await session.handleMessage(big));
      assert.equal(e.code, -32600);
      assert.equal(e.data.code, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses a batch before the handshake and a handshake inside a batch', async () => {
      const a = makeSession();
      const out = await a.session.handleMessage(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: 1, token: 'admin-token' } }]));
      assert.equal(err(out).data.code, 'UNAUTHORIZED');
      assert.equal(out.close?.code, CLOSE_POLICY);
      const b = await ready();
      const out2 = await b.session.handleMessage(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: 1 } }]));
      assert.equal((out2.reply as { error: { code: number } }[])[0].error.code, -32600);
    });

    it('returns nothing for a batch of notifications only', async () => {
      const { session } = await ready();
      const out = await session.handleMessage(JSON.stringify([{ jsonrpc: '2.0', method: 'status' }]));
      assert.equal(out.reply, null);
    });
  });

  describe('subscriptions', () => {
    it('delivers only subscribed topics, and nothing before the handshake', async () => {
      const { session, service } = makeSession();
      const n = { method: 'license.reminder' as const, params: { status: 'InitialGrace' as const, statusCode: 2, deadline: null, remainingMs: 1, message: 'm', at: '2026-11-27T00:00:00.000Z' } };
      assert.equal(session.wants(n), false);
      await call(session, 'handshake', { protocol: 1, token: 'user-token' });
      assert.equal(session.wants(n), false);
      assert.deepEqual(result<{ topics: string[] }>(await call(session, 'subscribe', { topics: ['reminder'] })).topics, ['reminder']);
      assert.equal(session.wants(n), true);
      assert.equal(session.wants({ method: 'event.logged', params: { event: { seq: 1, eventId: 1, time: '2026-11-27T00:00:00.000Z', level: 'info', message: 'x' } } }), false);
      result(await call(session, 'unsubscribe', {}));
      assert.equal(session.wants(n), false);
      assert.equal(service.listenerCount(), 0);
    });

    it('rejects unknown topics', async () => {
      const { session } = await ready();
      assert.equal(err(await call(session, 'subscribe', { topics: ['everything'] })).code, -32602);
    });
  });

  it('limits calls in flight on one connection', async () => {
    const s = makeSession();
    const sessionMax = new ControlSession({
      service: s.service, remoteAddress: 'x', headerRole: 'admin', authenticate: () => null,
      recordAuthFailure: () => undefined, isRateLimited: () => false, maxInFlight: 1,
    });
    await call(sessionMax, 'handshake', { protocol: 1 });
    let release!: () => void;
    s.service.delay = new Promise<void>((r) => (release = r));
    const first = call(sessionMax, 'status', {}, 1);
    const second = await call(sessionMax, 'status', {}, 2);
    assert.equal(err(second).data.code, 'RATE_LIMITED');
    release();
    result(await first);
  });
});
