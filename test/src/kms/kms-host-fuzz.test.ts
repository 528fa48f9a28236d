// Fuzzing a real KMS host: a `vact agent run` certified by a real authority takes random bytes,
// every one-byte mutation and every truncation of a request, oversized and wrong-version headers,
// slow senders, idle half-open sockets and a connection flood beyond its cap. It must not crash,
// must answer a valid request afterwards, must count nothing from any of it, and its memory must
// stay bounded (RSS from /proc, a generous bound, never a timing).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { decodeKmsFrame, encodeKmsRequest, type KmsRequest } from '@vact/shared';
import { ProcessGroup } from '../fixtures/processes';
import { issueKey, startAuthority, type AuthorityUnderTest } from '../authority/authority-harness';
import { LabAgent, rawRequest } from './kms-lab';

const HOST = '127.0.0.1';
/** The agent's defaults (listener.ts): requests must arrive within 5 s, silence cuts off after 2 s, 256 connections. */
const REQUEST_DEADLINE_MS = 5000;
const MAX_CONNECTIONS = 256;

function request(over: Partial<KmsRequest> = {}): Uint8Array {
  return encodeKmsRequest({
    cmid: randomBytes(16).toString('hex'), nonce: randomBytes(16).toString('hex'), clientTime: Date.now(), edition: 'server-standard', vm: false,
    licenseStatus: 'InitialGrace', remainingGraceMinutes: 40_000, machineName: 'fuzz-pc', hardwareHash: randomBytes(16).toString('hex'), ...over,
  });
}

/** What came back on one connection before the host closed it. */
interface Outcome { bytes: Buffer; closedAfterMs: number }

/** Connects, lets `talk` write (and end) as it likes, and collects the reply until the host closes; fails after `limitMs`. */
function exchange(port: number, talk: (s: net.Socket) => void, limitMs = 15_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = net.connect({ host: HOST, port });
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => {
      s.destroy();
      reject(new Error(`the host left a connection open for ${limitMs} ms`));
    }, limitMs);
    s.on('connect', () => talk(s));
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => undefined); // the host may reset a peer it refused
    s.on('close', () => {
      clearTimeout(guard);
      resolve({ bytes: Buffer.concat(chunks), closedAfterMs: Date.now() - t0 });
    });
  });
}

/** Sends `bytes` and half-closes, as a peer that has nothing more to say. */
const sendAll = (bytes: Uint8Array) => (s: net.Socket): void => {
  s.end(bytes);
};

/** The error code of a reply, or undefined when the host closed without one. */
function errorCode(o: Outcome): string | undefined {
  if (o.bytes.length === 0) return undefined;
  const m = decodeKmsFrame(new Uint8Array(o.bytes));
  assert.equal(m.type, 'error', `expected an error frame, got ${m.type}`);
  return m.type === 'error' ? m.error.code : undefined;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmRSS in /proc/PID/status');
  return Number(m[1]);
}

/** Runs `fn` over `items`, at most `width` at a time. */
async function pool<T, R>(items: T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

describe('KMS host under fuzzing (a real `vact agent run`, real authority)', function () {
  this.timeout(120_000);
  const group = new ProcessGroup();
  let authority: AuthorityUnderTest;
  let host: LabAgent;
  let port: number;
  let pid: number;
  const first = { cmid: randomBytes(16).toString('hex'), machineName: 'first-pc', hardwareHash: randomBytes(16).toString('hex') };

  before(async () => {
    authority = await startAuthority(group);
    host = new LabAgent(group, 'kms-fuzz', 'server-enterprise', { url: authority.url, keyFile: `${authority.dir}/authority-root.pub` }, ['--kms-listen', `${HOST}:0`]);
    await host.start();
    await host.json(['key', 'install', await issueKey(authority, 'kms-host', 'server-b')]);
    port = await host.kmsPort();
    pid = host.proc!.pid!;
    const reply = await rawRequest(HOST, port, 'server-standard', Date.now(), first);
    assert.ok(reply.type === 'response' && reply.response.count === 1, JSON.stringify(reply));
  });
  after(() => group.dispose());

  it('survives garbage, mutated and truncated frames, slow senders, idle sockets and a flood, counting none of it', async () => {
    const before = await host.hostStatus();
    assert.equal(before.count, 1);
    const rssBefore = rssKb(pid);
    const valid = request();
    // Mutations of a request whose client time is 27 years off: whatever a flipped byte turns it
    // into (another CMID, another edition), a request that still decodes is refused before counting.
    const skewed = request({ clientTime: Date.UTC(2000, 0, 1) });

    // Random bytes, most starting with the magic so they reach the header checks (2 bytes at least: room for it).
    const garbage = Array.from({ length: 60 }, (_, i) => {
      const b = randomBytes(2 + Math.floor(Math.random() * 1500));
      if (i % 2 === 0) b.set([0x56, 0x4b], 0);
      return b;
    });
    // Every byte of a request flipped, one at a time.
    const flipped = Array.from(skewed, (_, i) => {
      const b = Buffer.from(skewed);
      b[i] = b[i] ^ 0xff;
      return b;
    });
    // A valid request truncated at every length: never complete, so never counted.
    const truncated = Array.from({ length: valid.length }, (_, n) => valid.subarray(0, n));
    const oversized = Buffer.from(valid);
    oversized[4] = 0xff;
    oversized[5] = 0xff;
    const wrongVersion = Buffer.from(valid);
    wrongVersion[2] = wrongVersion[2] + 1;

    const outcomes = await pool([...garbage, ...flipped, ...truncated, oversized, wrongVersion], 16, (b) => exchange(port, sendAll(b)));
    const codes = new Set(outcomes.map(errorCode));
    for (const c of ['INVALID_ENCODING', 'CLOCK_SKEW', 'PAYLOAD_TOO_LARGE', 'VERSION_MISMATCH']) assert.ok(codes.has(c), `${c} among ${[...codes].join(', ')}`);
    assert.equal(errorCode(await exchange(port, sendAll(oversized))), 'PAYLOAD_TOO_LARGE');
    assert.equal(errorCode(await exchange(port, sendAll(wrongVersion))), 'VERSION_MISMATCH');

    // A flood beyond the cap: sockets that connect and say nothing. Those over the cap hear KMS_HOST_BUSY;
    // the rest are cut off when silent. Every one is closed by the host.
    const flood = await Promise.all(Array.from({ length: MAX_CONNECTIONS + 64 }, () => exchange(port, () => undefined)));
    const busy = flood.filter((o) => errorCode(o) === 'KMS_HOST_BUSY').length;
    assert.ok(busy >= 64, `${busy} of ${flood.length} connections were told the host is busy`);

    // Slow senders (a valid request with a fresh CMID, one byte per 100 ms: it would take
    // longer than the request deadline) and half-open sockets (half a header, then nothing) at once.
    const slow = Array.from({ length: 4 }, () => exchange(port, (s) => {
      const bytes = request();
      let i = 0;
      const tick = setInterval(() => {
        if (s.destroyed || i >= bytes.length) {
          clearInterval(tick);
          return;
        }
        s.write(bytes.subarray(i, ++i));
      }, 100);
      s.on('close', () => clearInterval(tick));
    }));
    const halfOpen = Array.from({ length: 8 }, () => exchange(port, (s) => s.write(valid.subarray(0, 3))));
    const slowOut = await Promise.all(slow);
    for (const o of slowOut) {
      assert.equal(errorCode(o), 'KMS_EXCHANGE_TIMEOUT');
      assert.ok(o.closedAfterMs < REQUEST_DEADLINE_MS + 5000, `a slow sender was cut off after ${o.closedAfterMs} ms`);
    }
    for (const o of await Promise.all(halfOpen)) assert.equal(errorCode(o), 'KMS_EXCHANGE_TIMEOUT');

    // Still up, still counting right: the first machine renews and hears the same count.
    assert.ok(host.proc!.running, 'the host is running');
    const renewal = await rawRequest(HOST, port, 'server-standard', Date.now(), first);
    assert.ok(renewal.type === 'response' && renewal.response.count === 1, JSON.stringify(renewal));
    const after = await host.hostStatus();
    assert.equal(after.count, before.count, 'nothing of the fuzzing was counted');
    assert.equal(after.requests.byResult['below-threshold'], (before.requests.byResult['below-threshold'] ?? 0) + 1, 'only the renewal was answered as a request');
    assert.ok((after.requests.refused.malformed ?? 0) > 0 && (after.requests.refused.busy ?? 0) >= 64 && (after.requests.refused.timeout ?? 0) >= 12, JSON.stringify(after.requests));
    const grew = rssKb(pid) - rssBefore;
    assert.ok(grew < 30 * 1024, `host RSS grew by ${(grew / 1024).toFixed(1)} MB`);
  });
});
