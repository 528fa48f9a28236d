// The KMS host renews its 180-day certificate with the authority before it ends (docs/kms.md,
// "Certificate renewal"): a simulated year with a real authority, a real host and a real client,
// all on simulated clocks stepped together (never more than seconds apart when the host renews).
import assert from 'node:assert/strict';
import type { ClockResult } from '@vact/shared';
import { ProcessGroup, freePort } from '../fixtures/processes';
import { api, issueKey, startAuthority, type AuthorityUnderTest } from '../authority/authority-harness';
import { RpcClient } from '../agent-daemon/daemon-harness';
import { LabAgent, rawRequest } from './kms-lab';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EDITION = 'server-standard';

/** Four other machines that keep the host's count at 5 (fixed CMIDs: each visit refreshes its entry). */
const OTHERS = [1, 2, 3, 4].map((i) => ({ cmid: `${i}`.repeat(32), hardwareHash: `${i + 4}`.repeat(32), machineName: `other-${i}` }));

describe('KMS host certificate renewal on the sim clock (real authority, host and client)', function () {
  this.timeout(600_000);
  const group = new ProcessGroup();
  const rpcs: RpcClient[] = [];
  after(() => {
    for (const r of rpcs) r.close();
    return group.dispose();
  });

  async function authorityNow(a: AuthorityUnderTest): Promise<number> {
    return ((await api<{ now: number }>(a.url, 'GET', '/v1/clock')).body).now;
  }

  it('renews the host certificate before day 180 and again before day 360; clients stay Licensed', async () => {
    const authority = await startAuthority(group, { clock: 'sim' });
    const keyFile = `${authority.dir}/authority-root.pub`;
    const start = new Date(await authorityNow(authority)).toISOString();
    const host = new LabAgent(group, 'renewhost', 'server-enterprise', { url: authority.url, keyFile }, ['--kms-listen', `127.0.0.1:${await freePort()}`]);
    await host.start(['--clock', `sim:${start}`]);
    await host.json(['key', 'install', await issueKey(authority, 'kms-host', 'server-b')]);
    const port = await host.kmsPort();
    const first = await host.hostStatus();
    assert.equal(first.activated, true);
    const firstCert = first.certificate!;
    assert.equal(Date.parse(firstCert.validUntil) - Date.parse(firstCert.issuedAt), 180 * DAY);
    assert.equal(Date.parse(first.renewal!.nextAt!), Date.parse(firstCert.validUntil) - 30 * DAY, 'renewal armed 30 days before the end');

    const client = new LabAgent(group, 'renewclient', EDITION, { url: authority.url, keyFile });
    await client.start(['--clock', `sim:${start}`]);
    const hostRpc = await RpcClient.connect(host.url, host.dir);
    const clientRpc = await RpcClient.connect(client.url, client.dir);
    rpcs.push(hostRpc, clientRpc);
    const visit = async (): Promise<void> => {
      const now = Date.parse((await hostRpc.call('clock.now', {})).now);
      for (const o of OTHERS) assert.equal((await rawRequest('127.0.0.1', port, EDITION, now, o)).type, 'response');
    };
    await visit();
    await client.json(['kms', 'set', `127.0.0.1:${port}`]);
    await client.json(['activate']);
    assert.equal((await client.status()).status, 'Licensed');
    const t0 = Date.parse((await clientRpc.call('clock.now', {})).now);

    // Moves the authority, then the host, to `target`: the host's renewal fires at its own time
    // with the authority already there, so the two clocks are seconds apart when it asks.
    const advanceServersTo = async (target: number): Promise<void> => {
      const a = target - await authorityNow(authority);
      if (a > 0) assert.equal((await api(authority.url, 'POST', '/v1/clock/advance', { token: authority.token, json: { by: `${a}ms` } })).status, 200);
      const h = target - Date.parse((await hostRpc.call('clock.now', {})).now);
      if (h > 0) await hostRpc.call('clock.advance', { ms: h });
    };
    const seen: { day: number; serial: string }[] = [];
    let day = 0;
    while (day < 365) {
      day = Math.min(365, day + 7);
      const target = t0 + day * DAY;
      const hs = await hostRpc.call('host.status', {});
      const renewAt = hs.renewal?.nextAt ? Date.parse(hs.renewal.nextAt) : Infinity;
      if (renewAt < target) await advanceServersTo(renewAt);
      await advanceServersTo(target);
      await visit();
      const c = target - Date.parse((await clientRpc.call('clock.now', {})).now);
      if (c > 0) await clientRpc.call('clock.advance', { ms: c });
      const now = await hostRpc.call('host.status', {});
      const cs = await client.status();
      assert.equal(now.activated, true, `day ${day}: the host answers`);
      assert.equal(cs.status, 'Licensed', `day ${day}: the client stays Licensed (${JSON.stringify(cs.lastError)})`);
      seen.push({ day, serial: now.certificate!.serial });
    }
    const serials = [...new Set(seen.map((s) => s.serial))];
    assert.equal(serials.length, 3, `two renewals in a year: ${serials.join(', ')}`);
    const renewedOn = serials.slice(1).map((s) => seen.find((x) => x.serial === s)!.day);
    assert.deepEqual(renewedOn, [154, 301], 'renewed in the week after day 150, then 150 days later');
    const last = await host.hostStatus();
    assert.ok(Date.parse(last.certificate!.validUntil) > t0 + 365 * DAY);
    assert.equal(last.renewal!.lastError, null);
    // The client's last renewal (past day 360) was signed under the renewed certificate.
    const clientLast = Date.parse((await client.status()).lastActivatedAt!);
    assert.ok(clientLast > t0 + 360 * DAY, `the client renewed after day 360 (${new Date(clientLast).toISOString()})`);
    // Each renewal is an activation at the authority (3 of the 10 a host may have).
    const acts = await host.events([12403]);
    assert.deepEqual(acts.map((e) => e.data?.activations), [1, 2, 3]);
    assert.deepEqual(acts.map((e) => e.data?.activationsRemaining), [9, 8, 7]);
    const clock = await host.json<ClockResult>(['clock', 'now']);
    assert.ok(Date.parse(clock.now) >= t0 + 365 * DAY);
    await client.stop();
    await host.stop();
  });
});
