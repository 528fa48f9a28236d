// The KMS client lifecycle on simulated clocks with real agents (DESIGN §3): renewals every 7 days
// and retries every 2 hours are seen in 12288 events; 180 days without a reachable host end in
// OutOfToleranceGrace; the host back makes the client Licensed again.
import assert from 'node:assert/strict';
import type { ClockResult, KmsShowResult } from '@vact/shared';
import { ProcessGroup, freePort } from '../fixtures/processes';
import { issueKey, startAuthority } from '../authority/authority-harness';
import { LabAgent, rawRequest } from './kms-lab';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EDITION = 'server-standard';

describe('KMS client lifecycle on the sim clock (real agents)', function () {
  this.timeout(300_000);
  const group = new ProcessGroup();
  after(() => group.dispose());

  it('renews every 7 days, retries every 2 hours, lapses after 180 days without a host, and is Licensed again when it is back', async () => {
    // Host certificates outlive the rehearsal, so the host answers for the whole simulated year.
    const authority = await startAuthority(group, { extraArgs: ['--host-cert-days', '400'] });
    const keyFile = `${authority.dir}/authority-root.pub`;
    const host = new LabAgent(group, 'simhost', 'server-enterprise', { url: authority.url, keyFile }, ['--kms-listen', `127.0.0.1:${await freePort()}`]);
    await host.start(['--clock', 'sim']);
    await host.json(['key', 'install', await issueKey(authority, 'kms-host', 'server-b')]);
    const port = await host.kmsPort();
    const fill = async (now: number): Promise<void> => {
      for (let i = 0; i < 4; i++) assert.equal((await rawRequest('127.0.0.1', port, EDITION, now)).type, 'response');
    };
    await fill(Date.parse((await host.json<ClockResult>(['clock', 'now'])).now));

    const client = new LabAgent(group, 'simclient', EDITION, { url: authority.url, keyFile });
    await client.start(['--clock', 'sim']);
    await client.json(['kms', 'set', `127.0.0.1:${port}`]);
    await client.json(['activate']);
    assert.equal((await client.status()).status, 'Licensed');
    const activatedAt = Date.parse((await client.status()).lastActivatedAt!);

    // Three renewals, 7 days apart (host and client clocks move together).
    for (let i = 0; i < 3; i++) {
      await host.json(['clock', 'advance', '7d']);
      await client.json(['clock', 'advance', '7d']);
    }
    const renewals = (await client.events([12288])).map((e) => Date.parse(e.time)).filter((t) => t > activatedAt);
    assert.deepEqual(renewals.map((t) => t - activatedAt), [7 * DAY, 14 * DAY, 21 * DAY], 'renewals every 7 days');
    const s21 = await client.status();
    assert.equal(s21.status, 'Licensed');
    const lastRenewal = Date.parse(s21.lastActivatedAt!);
    assert.equal(lastRenewal - activatedAt, 21 * DAY);
    // Valid 180 days from the renewal, as the host's ticket says (the host clock is seconds apart).
    assert.ok(Math.abs(Date.parse(s21.kms!.validUntil!) - lastRenewal - 180 * DAY) < 60_000);

    // The host goes away: the renewal at day 28 fails, then retries every 2 hours; still Licensed.
    await host.stop();
    await client.json(['clock', 'advance', '8d']);
    const retries = (await client.events([12288])).map((e) => Date.parse(e.time)).filter((t) => t > lastRenewal);
    assert.equal(retries[0] - lastRenewal, 7 * DAY, 'the renewal is tried on time');
    const gaps = retries.slice(1).map((t, i) => t - retries[i]);
    assert.ok(gaps.length >= 11, `retries: ${gaps.length}`);
    assert.ok(gaps.every((g) => g === 2 * HOUR), `retry gaps ${JSON.stringify(gaps.map((g) => g / HOUR))} h`);
    const s29 = await client.status();
    assert.equal(s29.status, 'Licensed');
    assert.equal(s29.lastError?.code, 'KMS_HOST_UNREACHABLE');
    assert.equal((await client.json<KmsShowResult>(['kms', 'show'])).nextAttemptKind, 'retry');

    // The rest of the 180 days at one retry a day (the administrator's interval) to keep the rehearsal short.
    await client.json(['kms', 'intervals', '--activation', '1d']);
    await client.json(['clock', 'advance', '175d']);
    const lapsed = await client.status();
    assert.equal(lapsed.status, 'OutOfToleranceGrace');
    assert.ok((await client.events([12422])).length === 1, 'validity lapsed is logged');

    // The host is back (its clock where the client's is) and four other machines ask: Licensed again.
    const clientNow = (await client.json<ClockResult>(['clock', 'now'])).now;
    await host.start(['--clock', `sim:${clientNow}`]);
    assert.equal((await host.hostStatus()).activated, true);
    await fill(Date.parse(clientNow));
    await client.json(['activate']);
    const back = await client.status();
    assert.equal(back.status, 'Licensed');
    assert.equal(back.channel, 'KMS');
    assert.equal(back.intervals.source, 'host', "the host's intervals replace the administrator's");
    await client.stop();
    await host.stop();
  });
});
