// KMS host discovery against a real dnsmasq: three SRV records of different priority and weight,
// real hosts on 127.0.0.x; the preferred host stopped → the client fails over and caches the new one.
import assert from 'node:assert/strict';
import { VactError } from '@vact/shared';
import { SystemClock } from '@vact/shared/node';
import { KmsDiscovery, kmsExchange, type KmsTarget } from '@vact/agent/kms';
import { startDnsmasq, type DnsmasqServer } from '../fixtures/dnsmasq';
import { request, TestKmsHost } from './kms-host-fixture';

describe('KMS discovery with a real dnsmasq', function () {
  this.timeout(20_000);
  const clock = new SystemClock();
  const hosts: TestKmsHost[] = [];
  let dns: DnsmasqServer;
  let port: number;

  before(async () => {
    // One port for all three hosts (as real hosts all use 1688), each on its own loopback address.
    const first = new TestKmsHost(clock, '127.0.0.31');
    port = (await first.listener.start()).port;
    hosts.push(first);
    for (const a of ['127.0.0.32', '127.0.0.33']) {
      const h = new TestKmsHost(clock, a, port);
      await h.listener.start();
      hosts.push(h);
    }
    dns = await startDnsmasq('lab.test', [
      { target: 'kms1.lab.test', port, priority: 10, weight: 100, address: '127.0.0.31' },
      { target: 'kms2.lab.test', port, priority: 20, weight: 60, address: '127.0.0.32' },
      { target: 'kms3.lab.test', port, priority: 20, weight: 40, address: '127.0.0.33' },
    ]);
  });
  after(async () => {
    await dns?.stop();
    for (const h of hosts) await h.listener.close();
  });

  const exchange = (t: KmsTarget) => kmsExchange(t, request('server-standard', clock.now()), { clock, connectTimeoutMs: 1000 });

  it('asks the lowest priority host, then fails over within the next priority when it stops, and caches the one that answered', async () => {
    const d = new KmsDiscovery({ domains: ['lab.test'], dnsServers: [dns.server], random: () => 0.99 });
    const a = await d.find(exchange);
    assert.deepEqual([a.target.host, a.source, a.target.address], ['kms1.lab.test', 'dns', '127.0.0.31']);
    const b = await d.find(exchange);
    assert.equal(b.source, 'cache');
    await hosts[0].listener.close();
    const c = await d.find(exchange);
    // random 0.99 → r = 99 of 100 → past kms2's running sum of 60: kms3 first.
    assert.deepEqual([c.target.host, c.source, c.failed.map((f) => f.target.host)], ['kms3.lab.test', 'dns', ['kms1.lab.test']]);
    assert.equal(d.cachedHost?.host, 'kms3.lab.test');
    assert.equal(hosts[2].handled, 1);
    await hosts[2].listener.close();
    const e = await d.find(exchange);
    assert.deepEqual([e.target.host, e.failed.map((f) => f.target.host)], ['kms2.lab.test', ['kms3.lab.test', 'kms1.lab.test']]);
  });

  it('reports NO_SRV_RECORDS for a domain without records, and a static host wins over DNS', async () => {
    const none = new KmsDiscovery({ domains: ['other.test'], dnsServers: [dns.server] });
    await assert.rejects(none.find(exchange), (e: unknown) => e instanceof VactError && e.code === 'NO_SRV_RECORDS');
    const fixed = new KmsDiscovery({ staticHost: { host: '127.0.0.32', port }, domains: ['lab.test'], dnsServers: [dns.server] });
    const r = await fixed.find(exchange);
    assert.equal(r.source, 'static');
  });
});
