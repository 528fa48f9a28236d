// Publishing a KMS host's SRV record against a real BIND9 with TSIG (RFC 2136 + RFC 8945):
// the record appears, is refreshed, and disappears on withdraw; a wrong secret is reported.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { VactError } from '@vact/shared';
import { SystemClock } from '@vact/shared/node';
import * as dnsPacket from 'dns-packet';
import { dnsTcpExchange, parseTsigKey, publishSrv, readTsigKeyFile, signMessage, verifyReply, withdrawSrv, type SrvPublication } from '@vact/agent/kms';
import { startBind9, type Bind9Server } from '../fixtures/bind9';

describe('KMS SRV publishing with a real BIND9 and TSIG', function () {
  this.timeout(20_000);
  const clock = new SystemClock();
  let bind: Bind9Server;
  before(async () => { bind = await startBind9(); });
  after(() => bind?.stop());

  const pub = (target: string, address: string, weight = 100): SrvPublication => ({ zone: 'lab.test', target, address, port: 1688, priority: 10, weight, ttl: 60 });
  const opts = () => ({ server: { host: '127.0.0.1', port: bind.port }, key: readTsigKeyFile(bind.keyFile), clock });

  it('the SRV and A records appear, are refreshed without duplicates, and only this host\'s SRV record is withdrawn', async () => {
    await publishSrv(pub('kms1.lab.test', '127.0.0.41'), opts());
    await publishSrv(pub('kms2.lab.test', '127.0.0.42', 50), opts());
    assert.deepEqual(bind.dig('_vlmcs._tcp.lab.test', 'SRV').map((l) => l.split(/\s+/).slice(4).join(' ')).sort(),
      ['10 100 1688 kms1.lab.test.', '10 50 1688 kms2.lab.test.']);
    assert.deepEqual(bind.dig('kms1.lab.test', 'A').map((l) => l.split(/\s+/)[4]), ['127.0.0.41']);
    // The daily refresh: same record again, a new address replaces the old one.
    await publishSrv(pub('kms1.lab.test', '127.0.0.43'), opts());
    assert.equal(bind.dig('_vlmcs._tcp.lab.test', 'SRV').length, 2);
    assert.deepEqual(bind.dig('kms1.lab.test', 'A').map((l) => l.split(/\s+/)[4]), ['127.0.0.43']);
    await withdrawSrv(pub('kms1.lab.test', '127.0.0.43'), opts());
    assert.deepEqual(bind.dig('_vlmcs._tcp.lab.test', 'SRV').map((l) => l.split(/\s+/).slice(4).join(' ')), ['10 50 1688 kms2.lab.test.']);
  });

  it('a wrong TSIG secret is reported as DNS_UPDATE_REFUSED naming BADSIG, and nothing changes', async () => {
    const good = fs.readFileSync(bind.keyFile, 'utf8');
    const wrong = parseTsigKey(good.replace(/secret "[^"]+"/, `secret "${Buffer.alloc(32, 7).toString('base64')}"`));
    const before = bind.dig('_vlmcs._tcp.lab.test', 'SRV');
    await assert.rejects(publishSrv(pub('kms9.lab.test', '127.0.0.49'), { ...opts(), key: wrong }),
      (e: unknown) => e instanceof VactError && e.code === 'DNS_UPDATE_REFUSED' && /NOTAUTH/.test(e.message) && /BADSIG/.test(e.message));
    assert.deepEqual(bind.dig('_vlmcs._tcp.lab.test', 'SRV'), before);
  });

  it('an unknown key name is refused with BADKEY', async () => {
    const other = parseTsigKey(fs.readFileSync(bind.keyFile, 'utf8').replace('key "ddns-key"', 'key "other-key"'));
    await assert.rejects(publishSrv(pub('kms9.lab.test', '127.0.0.49'), { ...opts(), key: other }),
      (e: unknown) => e instanceof VactError && e.code === 'DNS_UPDATE_REFUSED' && /BADKEY/.test(e.message));
  });

  it("checks the server's MAC: a real signed reply verifies; altered, or for another request, it does not", async () => {
    const key = readTsigKeyFile(bind.keyFile);
    const query = dnsPacket.encode({ type: 'query', id: 4242, flags: 0, questions: [{ name: 'lab.test', type: 'SOA', class: 'IN' }] });
    const { signed, mac } = signMessage(query, key, clock.now());
    const reply = await dnsTcpExchange({ host: '127.0.0.1', port: bind.port }, signed, { clock });
    assert.deepEqual(verifyReply(reply, key, mac, clock.now()), { ok: true });
    const altered = Buffer.from(reply);
    altered[reply.length - 40] ^= 1;
    assert.equal(verifyReply(altered, key, mac, clock.now()).ok, false);
    assert.equal(verifyReply(reply, key, Buffer.alloc(32), clock.now()).ok, false);
    assert.equal(verifyReply(reply, { ...key, secret: Buffer.alloc(32, 1) }, mac, clock.now()).ok, false);
    assert.deepEqual(verifyReply(reply, key, mac, clock.now() + 3_600_000), { ok: false, reason: 'bad-time' });
  });
});
