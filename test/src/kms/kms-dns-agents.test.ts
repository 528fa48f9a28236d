// KMS and DNS end to end with real agents and real DNS servers: a client discovers three KMS hosts
// (real agents) through a real dnsmasq and fails over when the preferred one stops; a host publishes
// itself in a real BIND9 with TSIG — the record appears, is refreshed, is withdrawn on uninstall —
// and a wrong TSIG secret is reported in `vact host status` while the host keeps serving.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostStatusResult, KmsShowResult } from '@vact/shared';
import { ProcessGroup, freePort } from '../fixtures/processes';
import { startDnsmasq, type DnsmasqServer } from '../fixtures/dnsmasq';
import { startBind9, type Bind9Server } from '../fixtures/bind9';
import { issueKey, startAuthority, type AuthorityUnderTest } from '../authority/authority-harness';
import { LabAgent } from './kms-lab';

const HOST_EDITION = 'server-enterprise';
const CLIENT_EDITION = 'server-standard';

describe('KMS with real DNS servers and real agents', function () {
  this.timeout(240_000);
  const group = new ProcessGroup();
  let authority: AuthorityUnderTest;
  let keyFile: string;
  let dnsmasq: DnsmasqServer | undefined;
  let bind: Bind9Server | undefined;

  before(async () => {
    authority = await startAuthority(group);
    keyFile = `${authority.dir}/authority-root.pub`;
  });
  after(async () => {
    await dnsmasq?.stop();
    await bind?.stop();
    await group.dispose();
  });

  it('discovers hosts by SRV priority and weight in a real dnsmasq, fails over when the preferred host stops, and caches the new one', async () => {
    const port = await freePort();
    const specs = [
      { target: 'kms-a.lab.test', address: '127.0.0.11', priority: 10, weight: 0 },
      { target: 'kms-b.lab.test', address: '127.0.0.12', priority: 20, weight: 60 },
      { target: 'kms-c.lab.test', address: '127.0.0.13', priority: 20, weight: 40 },
    ];
    dnsmasq = await startDnsmasq('lab.test', specs.map((s) => ({ ...s, port })));
    const hostKey = await issueKey(authority, 'kms-host', 'server-b');
    const hosts = await Promise.all(specs.map(async (s) => {
      const h = new LabAgent(group, s.target.split('.')[0], HOST_EDITION, { url: authority.url, keyFile }, ['--kms-listen', `${s.address}:${port}`]);
      await h.start();
      await h.json(['key', 'install', hostKey]);
      return h;
    }));
    const client = new LabAgent(group, 'finder', CLIENT_EDITION, { url: authority.url, keyFile }, ['--kms-domain', 'lab.test', '--dns-server', dnsmasq.server]);
    await client.start();
    assert.deepEqual((await client.json<{ domains: string[] }>(['kms', 'domain', 'list'])).domains, ['lab.test']);
    await client.run(['activate']);
    let show = await client.json<KmsShowResult>(['kms', 'show']);
    assert.equal(show.hostSource, 'dns');
    assert.equal(show.cachedHost, `kms-a.lab.test:${port}`, 'the lowest priority answers first');
    // The agent's own first attempt at start found it by DNS; `activate` may have used the cache.
    assert.ok(show.cachedHostSource === 'dns' || show.cachedHostSource === 'cache');
    assert.ok((await client.events([12289])).some((e) => e.data?.host === `kms-a.lab.test:${port}`));
    assert.equal(show.lastCount, 1);

    await hosts[0].stop();
    await client.run(['activate']);
    show = await client.json<KmsShowResult>(['kms', 'show']);
    assert.match(String(show.cachedHost), new RegExp(`^kms-[bc]\\.lab\\.test:${port}$`), 'failed over within the next priority');
    assert.equal(show.cachedHostSource, 'dns');
    const failedOverTo = show.cachedHost;
    // The host that answered is used again (from the cache) until it fails.
    await client.run(['activate']);
    show = await client.json<KmsShowResult>(['kms', 'show']);
    assert.equal(show.cachedHost, failedOverTo);
    assert.equal(show.cachedHostSource, 'cache');
    assert.equal((await client.status()).kms?.foundBy, 'cache');
    // A static host wins over DNS; clearing it returns to discovery.
    await client.json(['kms', 'set', `127.0.0.13:${port}`]);
    assert.equal((await client.json<KmsShowResult>(['kms', 'show'])).hostSource, 'static');
    assert.equal((await client.json<KmsShowResult>(['kms', 'clear'])).hostSource, 'dns');
    await client.stop();
    for (const h of hosts.slice(1)) await h.stop();
  });

  it('publishes the host in a real BIND9 with TSIG, refreshes it every 24 hours, withdraws it on uninstall; a wrong secret is reported', async () => {
    bind = await startBind9();
    const srvLines = (): string[] => bind!.dig('_vlmcs._tcp.lab.test', 'SRV').map((l) => l.split(/\s+/).slice(4).join(' '));
    const publishFlags = (tsig: string) => ['--kms-listen', '127.0.0.1:0', '--clock', 'sim', '--dns-publish', 'lab.test', '--dns-server', `127.0.0.1:${bind!.port}`, '--tsig-key', tsig, '--dns-priority', '10', '--dns-weight', '50'];
    const host = new LabAgent(group, 'pub', HOST_EDITION, { url: authority.url, keyFile }, publishFlags(bind.keyFile));
    await host.start();
    const hostKey = await issueKey(authority, 'kms-host', 'server-b');
    await host.json(['key', 'install', hostKey]);
    const port = await host.kmsPort();
    const published = async (): Promise<HostStatusResult> => {
      for (let i = 0; i < 50; i++) {
        const s = await host.hostStatus();
        if (s.dns?.state !== 'pending') return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      return host.hostStatus();
    };
    const first = await published();
    assert.equal(first.dns?.state, 'published', JSON.stringify(first.dns));
    assert.ok(srvLines().some((l) => l === `10 50 ${port} ${first.dns!.target}.`), srvLines().join('\n'));
    // The daily refresh runs on the agent's scheduler.
    await host.json(['clock', 'advance', '24h']);
    const refreshed = await host.hostStatus();
    assert.equal(refreshed.dns?.state, 'published');
    assert.ok(Date.parse(refreshed.dns.lastPublishedAt!) >= Date.parse(first.dns.lastPublishedAt!) + 24 * 3_600_000);
    assert.ok(Date.parse(refreshed.dns.nextRefreshAt!) > Date.parse(first.dns.nextRefreshAt!));
    assert.equal(srvLines().filter((l) => l.endsWith(`${first.dns!.target}.`)).length, 1, 'refreshed, not duplicated');
    await host.json(['key', 'uninstall']);
    assert.ok(!srvLines().some((l) => l.includes(` ${port} `)), 'withdrawn on uninstall');
    await host.stop();

    // A wrong secret: the server refuses (NOTAUTH/BADSIG), the host says so and keeps serving.
    const wrong = path.join(group.tempDir('vact-tsig-'), 'wrong.key');
    fs.writeFileSync(wrong, fs.readFileSync(bind.keyFile, 'utf8').replace(/secret "[^"]+"/, `secret "${Buffer.alloc(32, 9).toString('base64')}"`));
    const bad = new LabAgent(group, 'badpub', HOST_EDITION, { url: authority.url, keyFile }, publishFlags(wrong));
    await bad.start();
    await bad.json(['key', 'install', hostKey]);
    let st = await bad.hostStatus();
    for (let i = 0; i < 50 && st.dns?.state === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      st = await bad.hostStatus();
    }
    assert.equal(st.dns?.state, 'failed');
    assert.equal(st.dns?.lastError?.code, 'DNS_UPDATE_REFUSED');
    assert.match(st.dns.lastError.message, /BADSIG/);
    assert.equal(st.activated, true);
    assert.ok(st.listening);
    const text = await bad.run(['host', 'status']);
    assert.match(text.stdout, /DNS publishing: _vlmcs\._tcp\.lab\.test .* failed \(DNS_UPDATE_REFUSED/);
    await bad.stop();
  });
});
