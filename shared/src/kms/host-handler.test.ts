import assert from 'node:assert/strict';
import { nodeEd25519 } from '../node/node-ed25519';
import { verifyTicket } from '../tickets/ticket';
import { protocolTestVectors } from '../tickets/test-support/vectors';
import { emptyHostCount } from './host-count';
import { handleKmsRequest, type KmsHostContext, type KmsHostDecision, type KmsHostState } from './host-handler';
import { KMS_VECTOR_NOW, vectorContext, vectorRequest } from './wire/test-support/kms-vectors';

const DAY = 86_400_000;
const fresh = (): KmsHostState => ({ count: emptyHostCount(), clients: new Map() });

/** A little host: feeds requests through the pure handler, keeping the state. */
class Host {
  state = fresh();
  now = KMS_VECTOR_NOW;
  ask(edition: string, n: number, over: Partial<KmsHostContext> = {}, machine = `pc-${n}`): KmsHostDecision {
    const q = { ...vectorRequest(edition, n), machineName: machine, clientTime: this.now };
    const d = handleKmsRequest(this.state, q, vectorContext({ now: this.now, ...over }));
    this.state = d.state;
    return d;
  }
  count(d: KmsHostDecision): [number, boolean] {
    assert.ok(d.reply.type === 'response', JSON.stringify(d.reply));
    return [d.reply.response.count, d.reply.response.activated];
  }
}

describe('KMS host request handler (DESIGN §3)', () => {
  it("the guide's worked example: clients 1, 2, 3 not activated; a server at 4; servers from 5; clients at 25; the 26th sees 26", () => {
    const h = new Host();
    assert.deepEqual([1, 2, 3].map((n) => h.count(h.ask('client-professional', n))), [[1, false], [2, false], [3, false]]);
    assert.deepEqual(h.count(h.ask('server-standard', 4)), [4, false]);
    assert.deepEqual(h.count(h.ask('server-standard', 5)), [5, true]);
    for (let n = 6; n <= 24; n++) assert.deepEqual(h.count(h.ask(n % 2 ? 'server-web' : 'client-enterprise', n)), [n, n % 2 === 1]);
    assert.deepEqual(h.count(h.ask('client-professional', 25)), [25, true]);
    assert.deepEqual(h.count(h.ask('client-professional', 26)), [26, true]);
    // The earlier clients renew now and are activated.
    assert.deepEqual(h.count(h.ask('client-professional', 1)), [26, true]);
  });

  it('cache 10 while only servers asked, 50 once a client asks; the count is capped at 50', () => {
    const h = new Host();
    for (let n = 1; n <= 12; n++) h.ask('server-standard', n);
    assert.equal(h.state.count.capacity, 10);
    assert.deepEqual(h.count(h.ask('server-standard', 13)), [10, true]);
    h.ask('client-professional', 14);
    assert.equal(h.state.count.capacity, 50);
    for (let n = 15; n <= 80; n++) h.ask('client-professional', n);
    assert.deepEqual(h.count(h.ask('client-professional', 81)), [50, true]);
    assert.equal(h.state.clients.size, 50, 'the register never outgrows the count');
  });

  it('an entry expires after 30 days; a renewal refreshes it', () => {
    const h = new Host();
    h.ask('server-standard', 1);
    h.now += 20 * DAY;
    h.ask('server-standard', 2);
    h.now += 10 * DAY + 1;
    assert.deepEqual(h.count(h.ask('server-standard', 3)), [2, false], 'machine 1 expired');
    h.now += 19 * DAY;
    assert.deepEqual(h.count(h.ask('server-standard', 2)), [2, false], 'machine 2 renewed 30 days ago at most');
  });

  it('signs a ticket bound to the request that chains to the authority root', () => {
    const h = new Host();
    for (let n = 1; n <= 4; n++) h.ask('server-standard', n);
    const d = h.ask('server-enterprise', 5);
    assert.ok(d.reply.type === 'response' && d.reply.response.ticket);
    const q = vectorRequest('server-enterprise', 5);
    verifyTicket(nodeEd25519, protocolTestVectors().keys.rootPublicKey, d.reply.response.ticket, { cmid: q.cmid, hardwareHash: q.hardwareHash, edition: q.edition, nonce: q.nonce, now: h.now });
    assert.equal(d.reply.response.ticket.body.validUntil, h.now + 180 * DAY);
    assert.equal(d.event.result, 'activated');
  });

  it('refuses, without counting: host not activated or in Notification, edition not covered, unknown edition, clock skew > 4 h', () => {
    const h = new Host();
    const refusals: [KmsHostDecision, string][] = [
      [h.ask('server-standard', 1, { hostLicensed: false }), 'KMS_HOST_NOT_ACTIVATED'],
      [h.ask('server-standard', 1, { certificate: undefined }), 'KMS_HOST_NOT_ACTIVATED'],
      [h.ask('server-standard', 1, { now: KMS_VECTOR_NOW + 800 * DAY }), 'KMS_HOST_NOT_ACTIVATED'],
      [h.ask('server-datacenter', 1), 'PRODUCT_NOT_COVERED_BY_HOST'],
      [h.ask('no-such', 1), 'UNKNOWN_EDITION'],
    ];
    const skewed = handleKmsRequest(h.state, { ...vectorRequest('server-standard', 1), clientTime: h.now + 4 * 3_600_000 + 1 }, vectorContext({ now: h.now }));
    refusals.push([skewed, 'CLOCK_SKEW']);
    for (const [d, code] of refusals) {
      assert.ok(d.reply.type === 'error', code);
      assert.equal(d.reply.error.code, code);
      assert.equal(d.reply.error.nonce, vectorRequest('x').nonce);
    }
    assert.equal(h.state.count.entries.length, 0);
    const edge = handleKmsRequest(h.state, { ...vectorRequest('server-standard', 1), clientTime: h.now - 4 * 3_600_000 }, vectorContext({ now: h.now }));
    assert.equal(edge.reply.type, 'response', 'exactly 4 hours of skew is accepted');
  });

  it('a CMID from another machine is flagged, counted once, told, and given no ticket', () => {
    const h = new Host();
    for (let n = 1; n <= 5; n++) h.ask('server-standard', n);
    const clone = h.ask('server-standard', 5, {}, 'cloned-pc');
    assert.ok(clone.reply.type === 'response');
    assert.deepEqual([clone.reply.response.count, clone.reply.response.activated, clone.reply.response.duplicateCmid, clone.reply.response.ticket], [5, false, true, undefined]);
    assert.equal(clone.event.result, 'duplicate-cmid');
    const rec = h.state.clients.get(vectorRequest('x', 5).cmid)!;
    assert.deepEqual([rec.machineName, rec.duplicates.map((d) => d.machineName), rec.requests], ['pc-5', ['cloned-pc'], 2]);
    const original = h.ask('server-standard', 5);
    assert.ok(original.reply.type === 'response' && original.reply.response.activated && !original.reply.response.duplicateCmid);
  });

  it("a renewal updates the client's record; a clone's request changes only when it was seen and how often", () => {
    const h = new Host();
    h.ask('server-standard', 1);
    const cmid = vectorRequest('x', 1).cmid;
    const first = { ...h.state.clients.get(cmid)! };
    h.now += DAY;
    const q = { ...vectorRequest('server-web', 1), machineName: 'pc-1', clientTime: h.now, licenseStatus: 'Licensed' as const, vm: true };
    h.state = handleKmsRequest(h.state, q, vectorContext({ now: h.now, sourceAddress: '10.0.0.9' })).state;
    assert.deepEqual(h.state.clients.get(cmid), {
      ...first, edition: 'server-web', licenseStatus: 'Licensed', vm: true, sourceAddress: '10.0.0.9', lastSeen: h.now, requests: 2,
    });
    const renewed = { ...h.state.clients.get(cmid)! };
    h.now += DAY;
    h.ask('server-standard', 1, { sourceAddress: '10.0.0.66' }, 'cloned-pc');
    assert.deepEqual(h.state.clients.get(cmid), {
      ...renewed, lastSeen: h.now, requests: 3, duplicates: [{ machineName: 'cloned-pc', hardwareHash: renewed.hardwareHash, at: h.now }],
    });
  });
});
