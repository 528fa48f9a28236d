import { strict as assert } from 'node:assert';
import type { AgentConnection } from '../agents/agent-connection';
import { collect, confirmBatch, deposit, requestFile, RequestFileSchema, responseFile, type ProxyReport } from './mak-proxy';

const DIGEST = 'ab'.repeat(32);

function fakeConn(name: string, iid: string | null, deposits: string[], catalogueDigest?: string): AgentConnection {
  return {
    snapshot: { config: { id: name, name, url: `ws://x/${name}` } },
    call: (method: string, params?: { confirmationId?: string }) => {
      if (method === 'offline.iid') return iid ? Promise.resolve({ installationId: iid, ...(catalogueDigest ? { catalogueDigest } : {}) }) : Promise.reject(Object.assign(new Error('No MAK installed'), { code: 'WRONG_CHANNEL' }));
      deposits.push(`${name}:${params?.confirmationId ?? ''}`);
      return Promise.resolve({});
    },
  } as unknown as AgentConnection;
}

describe('extension MAK proxy', () => {
  it('collects IDs, writes a request with IDs and catalogue digests only, maps the batch answer back and deposits per agent', async () => {
    const deposits: string[] = [];
    const report: ProxyReport = { deposited: [], failed: [] };
    const items = await collect([fakeConn('a', 'IID-A', deposits), fakeConn('b', null, deposits), fakeConn('c', 'IID-C', deposits, DIGEST)], report);
    assert.deepEqual(items.map((i) => i.installationId), ['IID-A', 'IID-C']);
    assert.equal(report.failed[0]?.error.code, 'WRONG_CHANNEL');
    const req = requestFile(items, new Date(0));
    assert.equal(RequestFileSchema.safeParse(req).success, true);
    assert.deepEqual(Object.keys(req).sort(), ['catalogueDigests', 'createdAt', 'format', 'installationIds', 'version']);
    assert.deepEqual(req.catalogueDigests, [null, DIGEST]);
    assert.equal(RequestFileSchema.safeParse({ ...req, catalogueDigests: undefined }).success, true, 'a request file without digests still reads');
    assert.equal(RequestFileSchema.safeParse({ ...req, catalogueDigests: ['nothex', null] }).success, false);
    let sent: unknown;
    const fakeFetch = ((_url: URL, init: { body: string }) => {
      sent = JSON.parse(init.body);
      return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ results: [{ index: 1, ok: false, error: { code: 'MAK_LIMIT_REACHED', number: 2004, message: 'limit', hint: '' } }, { index: 0, ok: true, confirmationId: 'CID-A', repeat: false, remaining: 3 }] }) });
    }) as unknown as typeof fetch;
    const batch = await confirmBatch('http://authority', req.installationIds, req.catalogueDigests, fakeFetch);
    assert.deepEqual(sent, { installationIds: ['IID-A', 'IID-C'], catalogueDigests: [null, DIGEST] });
    await deposit(items, responseFile(req.installationIds, batch), report);
    assert.deepEqual(deposits, ['a:CID-A']);
    assert.deepEqual(report.deposited, ['a']);
    assert.deepEqual(report.failed.map((f) => `${f.name} ${f.error.code}`), ['b WRONG_CHANNEL', 'c MAK_LIMIT_REACHED']);
  });

  it('reports the authority refusing the whole batch', async () => {
    const refuse = (() => Promise.resolve({ ok: false, status: 429, json: () => Promise.resolve({ error: { code: 'RATE_LIMITED', message: 'slow down' } }) })) as unknown as typeof fetch;
    await assert.rejects(confirmBatch('http://authority', ['x'], [], refuse), (e: { code?: string }) => e.code === 'RATE_LIMITED');
  });
});
