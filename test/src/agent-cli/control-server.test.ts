// The control API server over real sockets: auth, roles, malformed frames, payload limit,
// unknown methods, invalid params, Origin, TLS off loopback, failed-auth rate limit, heartbeat.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import type { ControlNotification } from '@vact/shared';
import { startControlServer, type ControlServer, type ControlServerOptions } from '@vact/agent/control';
import { FakeAgentService } from '@vact/agent/testing';
import { ControlCallError, ControlClient } from '@vact/shared/node';

const TOKENS = { user: 'user-token-0123456789abcdef', admin: 'admin-token-0123456789abcdef' };

interface Started {
  server: ControlServer;
  service: FakeAgentService;
}

const running: ControlServer[] = [];
const sockets: WebSocket[] = [];
const clients: ControlClient[] = [];

async function start(opts: Partial<ControlServerOptions> = {}): Promise<Started> {
  const service = new FakeAgentService();
  const server = await startControlServer({ service, tokens: TOKENS, host: '127.0.0.1', port: 0, ...opts });
  running.push(server);
  return { server, service };
}

async function client(url: string, token: string, extra: Partial<Parameters<typeof ControlClient.connect>[0]> = {}): Promise<ControlClient> {
  const c = await ControlClient.connect({ url, token, connectTimeoutMs: 5000, callTimeoutMs: 5000, ...extra });
  clients.push(c);
  return c;
}

/** A raw WebSocket (no handshake done) and a queue of the messages it receives. */
async function raw(url: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; next(): Promise<unknown>; closed: Promise<[number, string]> }> {
  const ws = new WebSocket(url, options);
  sockets.push(ws);
  const queue: unknown[] = [];
  const waiters: ((v: unknown) => void)[] = [];
  ws.on('message', (d) => {
    const v = JSON.parse(Buffer.isBuffer(d) ? d.toString('utf8') : Buffer.concat(d as Buffer[]).toString('utf8')) as unknown;
    const w = waiters.shift();
    if (w) w(v);
    else queue.push(v);
  });
  ws.on('error', () => undefined);
  const closed = new Promise<[number, string]>((resolve) => ws.on('close', (code, reason) => resolve([code, reason.toString()])));
  await once(ws, 'open');
  return { ws, next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))), closed };
}

/** Resolves once `cond` holds (checked every 10 ms, at most 5 s): for server-side effects of a close. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
}

async function expectCallError(p: Promise<unknown>, code: string): Promise<ControlCallError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ControlCallError, `expected ControlCallError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected ${code}`);
}

async function expectConnectError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: { code?: string; message: string }) => {
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('control API server over real sockets', function () {
  this.timeout(20000);
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-control-'));
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    for (const s of sockets.splice(0)) s.terminate();
    for (const s of running.splice(0)) await s.close();
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('authentication and roles', () => {
    it('accepts the admin token in the Authorization header and reports the role', async () => {
      const { server } = await start();
      const c = await client(server.url, TOKENS.admin);
      assert.equal(c.handshake.role, 'admin');
      assert.equal(c.handshake.protocol, 1);
      assert.equal((await c.call('status', {})).status, 'InitialGrace');
    });

    it('accepts the user token in the handshake only', async () => {
      const { server } = await start();
      const c = await client(server.url, TOKENS.user, { tokenIn: 'handshake' });
      assert.equal(c.handshake.role, 'user');
    });

    it('refuses a wrong header token at the upgrade (HTTP 401)', async () => {
      const { server } = await start();
      await expectConnectError(client(server.url, 'wrong-token'), 'UNAUTHORIZED', /401/);
    });

    it('refuses a wrong handshake token and closes the connection', async () => {
      const { server } = await start();
      await expectConnectError(client(server.url, 'wrong-token', { tokenIn: 'handshake' }), 'UNAUTHORIZED');
      const r = await raw(server.url);
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: 1, token: 'nope' } }));
      const reply = (await r.next()) as { error: { code: number; data: { code: string; hint: string } } };
      assert.equal(reply.error.data.code, 'UNAUTHORIZED');
      assert.ok(reply.error.data.hint);
      assert.equal((await r.closed)[0], 1008);
    });

    it('closes a connection whose first call is not the handshake', async () => {
      const { server, service } = await start();
      const r = await raw(server.url, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rearm' }));
      const reply = (await r.next()) as { error: { data: { code: string } } };
      assert.equal(reply.error.data.code, 'UNAUTHORIZED');
      assert.equal((await r.closed)[0], 1008);
      assert.equal(service.state.remainingRearms, 3);
    });

    it('refuses a protocol version it does not speak', async () => {
      const { server } = await start();
      const r = await raw(server.url, { headers: { authorization: `Bearer ${TOKENS.user}` } });
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: 99 } }));
      const reply = (await r.next()) as { error: { data: { code: string; details: { supported: number[] } } } };
      assert.equal(reply.error.data.code, 'VERSION_MISMATCH');
      assert.deepEqual(reply.error.data.details.supported, [1]);
    });

    it('a user token cannot call admin methods and nothing changes', async () => {
      const { server, service } = await start();
      const c = await client(server.url, TOKENS.user);
      const e = await expectCallError(c.call('rearm', {}), 'NEEDS_ADMIN');
      assert.equal(e.rpcCode, 6001);
      await expectCallError(c.call('key.uninstall', {}), 'NEEDS_ADMIN');
      await expectCallError(c.call('clock.advance', { ms: 86_400_000 }), 'NEEDS_ADMIN');
      assert.equal(service.state.remainingRearms, 3);
      assert.equal(service.state.keyType, 'kms-client');
      assert.ok(!service.state.calls.some((x) => ['rearm', 'keyUninstall', 'clockAdvance'].includes(x.method)));
      assert.equal((await c.call('status', {})).remainingRearms, 3);
    });

    it('passes application errors with their catalogue code, message and hint', async () => {
      const { server } = await start();
      const c = await client(server.url, TOKENS.admin);
      const e = await expectCallError(c.call('offline.confirm', { confirmationId: 'BAD' }), 'INVALID_CONFIRMATION_ID');
      assert.equal(e.number, 1009);
      assert.match(e.message, /check digits/);
      assert.ok(e.hint.length > 10);
    });
  });

  describe('malformed input never hurts the server', () => {
    it('answers garbage with -32700 and keeps serving the connection', async () => {
      const { server } = await start();
      const r = await raw(server.url, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
      r.ws.send('{"jsonrpc":');
      assert.equal(((await r.next()) as { error: { code: number } }).error.code, -32700);
      r.ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x01]), { binary: true });
      assert.equal(((await r.next()) as { error: { code: number } }).error.code, -32700);
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: 1 } }));
      assert.equal(((await r.next()) as { result: { role: string } }).result.role, 'admin');
      r.ws.send(JSON.stringify({ jsonrpc: '1.0', id: 2, method: 'status' }));
      assert.equal(((await r.next()) as { error: { code: number } }).error.code, -32600);
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'does.not.exist' }));
      assert.equal(((await r.next()) as { error: { code: number } }).error.code, -32601);
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'key.install', params: { key: 5 } }));
      assert.equal(((await r.next()) as { error: { code: number } }).error.code, -32602);
      r.ws.send(JSON.stringify([{ jsonrpc: '2.0', id: 5, method: 'clock.now' }, { jsonrpc: '2.0', id: 6, method: 'expiry' }]));
      const batch = (await r.next()) as { id: number; result: unknown }[];
      assert.deepEqual(batch.map((b) => b.id).sort(), [5, 6]);
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'status' }));
      assert.equal(((await r.next()) as { result: { status: string } }).result.status, 'InitialGrace');
    });

    it('closes a connection that sends more than maxPayload (1009) and keeps serving others', async () => {
      const { server } = await start({ maxPayload: 4096 });
      const r = await raw(server.url, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'key.install', params: { key: 'A'.repeat(10_000) } }));
      assert.equal((await r.closed)[0], 1009);
      const c = await client(server.url, TOKENS.admin);
      assert.equal((await c.call('clock.now', {})).clock, 'sim');
    });

    it('answers plain HTTP with 426 and closes idle unauthenticated connections', async () => {
      const { server } = await start({ handshakeTimeoutMs: 200 });
      const status = await new Promise<number>((resolve, reject) => {
        http.get(server.url.replace('ws:', 'http:'), (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      assert.equal(status, 426);
      const r = await raw(server.url);
      const [code, reason] = await r.closed;
      assert.equal(code, 1008);
      assert.equal(reason, 'handshake timeout');
      await until(() => server.connectionCount() === 0);
    });

    it('drops a peer that stops answering pings', async () => {
      const { server } = await start({ heartbeatMs: 300 });
      const alive = await client(server.url, TOKENS.user);
      const r = await raw(server.url, { headers: { authorization: `Bearer ${TOKENS.user}` }, autoPong: false });
      r.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'handshake', params: { protocol: 1 } }));
      await r.next();
      const [code] = await r.closed;
      assert.equal(code, 1006);
      // A live client that answers pings stays connected through several heartbeats.
      assert.equal((await alive.call('clock.now', {})).clock, 'sim');
      await until(() => server.connectionCount() === 1);
    });
  });

  describe('origin, binding and rate limit', () => {
    it('refuses browser origins except VS Code webviews', async () => {
      const { server } = await start();
      await expectConnectError(client(server.url, TOKENS.admin, { origin: 'https://evil.example' }), 'UNAUTHORIZED', /403/);
      const ok = await client(server.url, TOKENS.admin, { origin: 'vscode-webview://0a1b2c' });
      assert.equal(ok.handshake.role, 'admin');
    });

    it('refuses a non-loopback bind without TLS', async () => {
      await assert.rejects(start({ host: '0.0.0.0' }), (err: { code: string; message: string }) => {
        assert.equal(err.code, 'INVALID_CONFIG');
        assert.match(err.message, /--tls-cert/);
        return true;
      });
    });

    it('serves wss:// off loopback with a self-signed certificate', async () => {
      const cert = path.join(tmp, 'cert.pem');
      const key = path.join(tmp, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
      const { server } = await start({ host: '0.0.0.0', tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
      assert.match(server.url, /^wss:\/\//);
      const url = `wss://127.0.0.1:${server.address.port}`;
      const c = await client(url, TOKENS.user, { ca: fs.readFileSync(cert) });
      assert.equal((await c.call('status', {})).status, 'InitialGrace');
      // Without trusting the certificate the client refuses, saying so; plain ws:// does not get through.
      await expectConnectError(client(url, TOKENS.user), 'CERTIFICATE_NOT_TRUSTED', /certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\): pass --ca FILE/);
      await expectConnectError(client(`ws://127.0.0.1:${server.address.port}`, TOKENS.user, { connectTimeoutMs: 2000 }), 'UNREACHABLE');
    });

    it('locks out wrong tokens from an address after repeated failures, but never a valid token', async () => {
      const { server } = await start({ authLimit: { maxFailures: 3, windowMs: 60_000 } });
      for (let i = 0; i < 3; i++) await expectConnectError(client(server.url, `bad-${i}`), 'UNAUTHORIZED');
      // Wrong tokens from that address are now refused outright, in the header or the handshake.
      await expectConnectError(client(server.url, 'bad-again'), 'RATE_LIMITED', /429/);
      await expectCallError(client(server.url, 'bad-again', { tokenIn: 'handshake' }), 'RATE_LIMITED');
      // Every local client shares 127.0.0.1: the right token still gets in, both ways.
      assert.equal((await client(server.url, TOKENS.admin)).handshake.role, 'admin');
      assert.equal((await client(server.url, TOKENS.user, { tokenIn: 'handshake' })).handshake.role, 'user');
    });

    it('connections that never handshake cannot fill the server for clients with a token', async () => {
      const { server } = await start({ maxConnections: 4, maxUnauthenticated: 3 });
      const squatters = [];
      for (let i = 0; i < 70; i++) squatters.push(await raw(server.url));
      // The oldest squatters were dropped to keep at most 3 unauthenticated connections.
      await until(() => server.connectionCount() <= 3);
      assert.equal((await squatters[0].closed)[0], 1006);
      const viaHeader = await client(server.url, TOKENS.admin);
      assert.equal((await viaHeader.call('status', {})).status, 'InitialGrace');
      // A client that proves its token only in the handshake (a webview cannot set headers) gets in too.
      const viaHandshake = await client(server.url, TOKENS.user, { tokenIn: 'handshake' });
      assert.equal((await viaHandshake.call('clock.now', {})).clock, 'sim');
    });
  });

  describe('notifications', () => {
    it('pushes state changes, reminders and events only to subscribers of each topic', async () => {
      const { server, service } = await start();
      const all = await client(server.url, TOKENS.user);
      const remindersOnly = await client(server.url, TOKENS.user);
      const none = await client(server.url, TOKENS.user);
      const got: Record<string, ControlNotification[]> = { all: [], remindersOnly: [], none: [] };
      all.onNotification((n) => got.all.push(n));
      remindersOnly.onNotification((n) => got.remindersOnly.push(n));
      none.onNotification((n) => got.none.push(n));
      assert.deepEqual((await all.subscribe()).topics.sort(), ['event', 'reminder', 'state']);
      await remindersOnly.subscribe(['reminder']);
      const admin = await client(server.url, TOKENS.admin);
      await admin.call('clock.advance', { ms: 31 * 86_400_000 });
      service.emit({ method: 'license.reminder', params: { status: 'InitialGrace', statusCode: 2, deadline: null, remainingMs: 3_600_000, message: '1 hour left', at: '2026-12-27T00:00:00.000Z' } });
      // A notification that does not match the schema is never sent.
      service.emit({ method: 'license.reminder', params: { bogus: true } } as unknown as ControlNotification);
      await all.call('status', {});
      await remindersOnly.call('status', {});
      await none.call('status', {});
      assert.deepEqual(got.all.map((n) => n.method), ['license.stateChanged', 'license.reminder']);
      assert.deepEqual(got.remindersOnly.map((n) => n.method), ['license.reminder']);
      assert.deepEqual(got.none, []);
      const changed = got.all[0];
      assert.ok(changed.method === 'license.stateChanged');
      assert.equal(changed.params.previous, 'InitialGrace');
      assert.equal(changed.params.status.status, 'Notification');
    });

    it('releases its notification listener and sockets on close', async () => {
      const service = new FakeAgentService();
      const server = await startControlServer({ service, tokens: TOKENS, port: 0 });
      const c = await ControlClient.connect({ url: server.url, token: TOKENS.user });
      assert.equal(service.listenerCount(), 1);
      await server.close();
      assert.equal(service.listenerCount(), 0);
      await assert.rejects(c.call('status', {}), (e: { code: string }) => e.code === 'UNREACHABLE');
      await c.close();
    });
  });
});
