// The KMS host listener and the client exchange over real TCP on 127.0.0.x.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { decodeKmsFrame, encodeKmsRequest, SimClock, VactError, verifyTicket } from '@vact/shared';
import { nodeEd25519, SystemClock } from '@vact/shared/node';
import { kmsExchange } from '@vact/agent/kms';
import { request, ROOT, TestKmsHost } from './kms-host-fixture';

let currentHost = '127.0.0.21';

/** Connects, sends `bytes`, and collects everything until the host closes. */
function raw(port: number, bytes: Uint8Array | undefined, host = currentHost): { reply: Promise<Buffer>; socket: net.Socket } {
  const socket = net.connect({ host, port });
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  if (bytes) socket.write(bytes);
  return { socket, reply: new Promise((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks)))) };
}

function errorCode(b: Buffer): string | undefined {
  const m = decodeKmsFrame(new Uint8Array(b));
  return m.type === 'error' ? m.error.code : `not an error: ${m.type}`;
}

/** Waits until the listener has accepted `n` open connections (polling the event loop, not the clock). */
async function openCount(h: TestKmsHost, n: number): Promise<void> {
  while (h.listener.stats.open < n) await new Promise((r) => setImmediate(r));
}

describe('KMS listener and exchange over TCP', () => {
  const clock = new SystemClock();
  let host: TestKmsHost;
  let port: number;

  before(async () => {
    host = new TestKmsHost(clock, '127.0.0.21');
    port = (await host.listener.start()).port;
  });
  after(() => host.listener.close());

  it('one request, one response, then the host closes; five servers activate, and the ticket verifies', async () => {
    const replies = [];
    for (let i = 0; i < 5; i++) {
      const q = request('server-standard', clock.now());
      const r = await kmsExchange({ host: '127.0.0.21', port }, q, { clock });
      assert.ok(r.type === 'response');
      replies.push([r.response.count, r.response.activated]);
      if (r.response.ticket) verifyTicket(nodeEd25519, ROOT.publicKey, r.response.ticket, { cmid: q.cmid, hardwareHash: q.hardwareHash, edition: q.edition, nonce: q.nonce, now: clock.now() });
    }
    assert.deepEqual(replies, [[1, false], [2, false], [3, false], [4, false], [5, true]]);
  });

  it('frees the connection once its reply is sent, without waiting for the client to close its side', async () => {
    // A client that keeps its side open (allowHalfOpen) after the reply: the host must not hold the connection for it.
    const socket = net.connect({ host: '127.0.0.21', port, allowHalfOpen: true });
    socket.on('error', () => undefined);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    socket.write(encodeKmsRequest(request('server-standard', clock.now())));
    await ended;
    const m = decodeKmsFrame(new Uint8Array(Buffer.concat(chunks)));
    assert.equal(m.type, 'response');
    // The host's side closes on its own: its open connections fall to 0 while this client's side is still open.
    for (let turns = 0; host.listener.stats.open > 0 && turns < 10_000; turns++) await new Promise((r) => setImmediate(r));
    assert.equal(host.listener.stats.open, 0);
    assert.equal(socket.writable, true);
    socket.destroy();
  });

  it('answers garbage, a TLS hello, a wrong version and an oversized header with an error frame, and keeps its count', async () => {
    const before = host.state.count.entries.length;
    assert.equal(errorCode(await raw(port, Buffer.from('GET / HTTP/1.1\r\n\r\n')).reply), 'INVALID_ENCODING');
    assert.equal(errorCode(await raw(port, Uint8Array.of(0x16, 0x03, 0x01)).reply), 'INVALID_ENCODING');
    assert.equal(errorCode(await raw(port, Uint8Array.of(0x56, 0x4b, 0x02, 0x01, 0, 10)).reply), 'VERSION_MISMATCH');
    assert.equal(errorCode(await raw(port, Uint8Array.of(0x56, 0x4b, 0x01, 0x01, 0xff, 0xff)).reply), 'PAYLOAD_TOO_LARGE');
    assert.equal(errorCode(await raw(port, Uint8Array.of(0x56, 0x4b, 0x01, 0x02, 0, 0)).reply), 'INVALID_ENCODING');
    assert.equal(host.state.count.entries.length, before);
  });

  it('fuzz: random bytes on many connections never crash the host or change its count', async () => {
    const before = host.state.count.entries.length;
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 60; i++) {
      const len = Math.floor(rnd() * 300);
      const b = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
      if (i % 3 === 0 && len > 6) b.set([0x56, 0x4b, 1, 1, 0, Math.min(len - 6, 255)]);
      const { socket, reply } = raw(port, b);
      if (i % 4 === 0) socket.end(); // half-close after sending
      await reply;
    }
    const q = request('server-web', clock.now());
    const r = await kmsExchange({ host: '127.0.0.21', port }, q, { clock });
    assert.ok(r.type === 'response' && r.response.count === before + 1);
  });

  it('the exchange reports an unreachable host and honours an AbortSignal', async () => {
    await assert.rejects(kmsExchange({ host: '127.0.0.22', port }, request('server-web', clock.now()), { clock }), (e: unknown) => e instanceof VactError && e.code === 'KMS_HOST_UNREACHABLE');
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.23', r));
    const ac = new AbortController();
    const pending = kmsExchange({ host: '127.0.0.23', port: (silent.address() as net.AddressInfo).port }, request('server-web', clock.now()), { clock, signal: ac.signal });
    ac.abort(new Error('stopping'));
    await assert.rejects(pending, /stopping/);
    silent.close();
  });
});

describe('KMS listener timeouts and caps (sim clock)', () => {
  const clock = new SimClock(1_800_000_000_000);
  let host: TestKmsHost;
  let port: number;

  before(async () => {
    currentHost = '127.0.0.24';
    host = new TestKmsHost(clock, '127.0.0.24', 0, { maxConnections: 3, requestTimeoutMs: 5000, idleTimeoutMs: 2000 });
    port = (await host.listener.start()).port;
  });
  after(() => host.listener.close());

  it('cuts off a slow sender mid-frame and a silent connection, with KMS_EXCHANGE_TIMEOUT', async () => {
    const slow = raw(port, Uint8Array.of(0x56, 0x4b, 1, 1, 0, 100, 1, 2, 3));
    const silent = raw(port, undefined);
    await openCount(host, 2);
    clock.advance(2001);
    assert.equal(errorCode(await slow.reply), 'KMS_EXCHANGE_TIMEOUT');
    clock.advance(3000);
    assert.equal(errorCode(await silent.reply), 'KMS_EXCHANGE_TIMEOUT');
    assert.equal(host.listener.stats.refused.timeout, 2);
  });

  it('over the connection cap answers KMS_HOST_BUSY, and serves again once connections close', async () => {
    const held = [raw(port, undefined), raw(port, undefined), raw(port, undefined)];
    await openCount(host, 3);
    assert.equal(errorCode(await raw(port, undefined).reply), 'KMS_HOST_BUSY');
    for (const h of held) h.socket.destroy();
    while (host.listener.stats.open > 0) await new Promise((r) => setImmediate(r));
    const r = await kmsExchange({ host: '127.0.0.24', port }, request('server-web', clock.now()), { clock });
    assert.equal(r.type, 'response');
  });
});
