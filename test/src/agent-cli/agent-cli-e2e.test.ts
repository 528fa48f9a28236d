// End to end with real processes: `vact authority serve` + `vact agent run` + the `vact` CLI.
// Every machine is a distinct --hardware file; every clock is simulated and moved by `vact clock advance`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ControlNotification, StatusResult } from '@vact/shared';
import { ControlClient } from '@vact/shared/node';
import { ProcessGroup, parseJsonOutput } from '../fixtures/processes';
import { LabAgent } from '../fixtures/lab-agent';

const EDITION = 'client-enterprise';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const REMINDER_EVENT = 12406;

interface HardwareFile {
  board: string;
  system: string;
  cpu: string;
  mem: number;
  disks: string[];
  macs: string[];
  machineId: string;
}

function machine(name: string): HardwareFile {
  return { board: `board-${name}`, system: `system-${name}`, cpu: 'Lab CPU 8 cores', mem: 16 * 2 ** 30, disks: [`disk-${name}`], macs: [`02:00:00:00:00:${name.length.toString(16).padStart(2, '0')}`], machineId: `machine-id-${name}` };
}

/** The fields that must survive a restart unchanged. */
/** state.json holds neither the key nor its dash-less form, only the partial key and the seal. */
function assertNoClearKey(stateDir: string, key: string): void {
  const text = fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8');
  assert.ok(!text.includes(key) && !text.includes(key.replace(/-/g, '')), 'the full MAK is not in state.json');
  const state = JSON.parse(text) as { lifecycle: { key: { key: string | null; partialKey: string } }; keySeal: { ephemeralPublicKey: string } | null };
  assert.equal(state.lifecycle.key.key, null);
  assert.equal(state.lifecycle.key.partialKey, key.slice(-5));
  assert.match(state.keySeal?.ephemeralPublicKey ?? '', /^[0-9a-f]{64}$/);
}

function durable(s: StatusResult): Partial<StatusResult> {
  const { status, statusCode, channel, keyType, partialKey, cmid, hardwareHash, graceEndsAt, validUntil, lastActivatedAt, remainingRearms } = s;
  return { status, statusCode, channel, keyType, partialKey, cmid, hardwareHash, graceEndsAt, validUntil, lastActivatedAt, remainingRearms };
}

describe('end to end: authority + agent + CLI (real processes, simulated clocks)', function () {
  this.timeout(180_000);
  const group = new ProcessGroup();
  let authorityDir: string;
  let authorityUrl: string;
  let authorityKey: string;
  const agents: Record<string, LabAgent> = {};

  async function issueMak(limit: number): Promise<string> {
    const r = await group.runVact(['authority', 'key', 'issue', '--type', 'mak', '--group', 'client-vl', '--limit', String(limit), '--dir', authorityDir, '--url', authorityUrl, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return parseJsonOutput<{ key: string }>(r).key;
  }

  async function newAgent(name: string, options: { authorityUrl?: string } = {}): Promise<LabAgent> {
    const agent = new LabAgent(group, name, EDITION, { url: options.authorityUrl ?? authorityUrl, keyFile: authorityKey }, ['--clock', 'sim'], { ...machine(name) });
    await agent.start();
    agents[name] = agent;
    return agent;
  }

  /** Restarts the agent and proves the license state is the same afterwards. */
  async function restartKeepsState(agent: LabAgent, expected: StatusResult['status']): Promise<StatusResult> {
    const before = await agent.status();
    assert.equal(before.status, expected);
    await agent.stop();
    await agent.start();
    const after = await agent.status();
    assert.deepEqual(durable(after), durable(before), `agent ${agent.name}: state changed across a restart`);
    return after;
  }

  before(async () => {
    authorityDir = group.tempDir('vact-e2e-authority-');
    const init = await group.runVact(['authority', 'init', '--dir', authorityDir, '--json']);
    assert.equal(init.code, 0, init.stderr);
    authorityKey = parseJsonOutput<{ publicKeyFile: string }>(init).publicKeyFile;
    const serve = group.vact(['authority', 'serve', '--dir', authorityDir, '--listen', '127.0.0.1:0', '--clock', 'sim'], { name: 'authority' });
    authorityUrl = String((await serve.waitForJsonLine((l) => l.msg === 'listening' && typeof l.url === 'string', 'authority listening', 30_000)).url);
  });

  after(async () => {
    await group.dispose();
  });

  it('installs a MAK, activates, and shows Licensed; a restart keeps it', async () => {
    const mak = await issueMak(1);
    const a = await newAgent('alpha');
    const first = await a.status();
    assert.equal(first.status, 'InitialGrace');
    assert.equal(first.keyType, 'kms-client');

    const install = await a.json<{ key: { type: string; partialKey: string }; activation: { attempted: boolean; succeeded: boolean }; status: StatusResult }>(['key', 'install', mak]);
    assert.equal(install.key.type, 'mak');
    assert.deepEqual({ attempted: install.activation.attempted, succeeded: install.activation.succeeded }, { attempted: true, succeeded: true });

    const s = await a.status();
    assert.equal(s.status, 'Licensed');
    assert.equal(s.statusCode, 1);
    assert.equal(s.channel, 'MAK');
    assert.equal(s.partialKey, mak.slice(-5));
    assert.equal(s.validUntil, null);
    assert.equal(s.lastError, null);

    const text = await a.run(['status']);
    assert.match(text.stdout, /^License Status: Licensed$/m);
    assert.match(text.stdout, /VOLUME_MAK channel/);
    // Once activated the MAK is not kept in clear (slmgr /cpky): only its partial key and its seal to the authority.
    assertNoClearKey(a.dir, mak);
    // The same machine activating again with the same key does not use another activation; it is made from the seal.
    const again = await a.run(['activate']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Product activated successfully/);
    assert.match((await a.run(['expiry'])).stdout, /permanently activated/);
    await restartKeepsState(a, 'Licensed');
  });

  it('refuses activation on another machine once the MAK limit is reached, with a clear error', async () => {
    const alphaKey = (await agents.alpha.status()).partialKey;
    const mak = await issueMak(1);
    // Use up the new key on one machine, then try it on another.
    const b = await newAgent('bravo');
    const c = await newAgent('charlie');
    const ok = await b.json<{ activation: { succeeded: boolean } }>(['key', 'install', mak]);
    assert.equal(ok.activation.succeeded, true);
    const refusedRun = await c.run(['key', 'install', mak, '--json']);
    assert.equal(refusedRun.code, 1, 'the failed activation the install started is not hidden (exit 1); the key stays installed');
    const refused = parseJsonOutput<{ activation: { succeeded: boolean; error: { code: string; hint: string } }; status: StatusResult }>(refusedRun);
    assert.equal(refused.activation.succeeded, false);
    assert.equal(refused.activation.error.code, 'MAK_LIMIT_REACHED');
    assert.equal(refused.status.status, 'InitialGrace');

    const r = await c.run(['activate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /MAK_LIMIT_REACHED/);
    assert.match(r.stderr, /activation limit/);
    assert.match(r.stderr, /what to do: Ask the administrator to raise the limit or issue another MAK/);
    const j = await c.run(['activate', '--json']);
    assert.equal(j.code, 1);
    assert.equal(parseJsonOutput<{ error: { code: string; number: number } }>(j).error.number, 2004);
    const s = await c.status();
    assert.equal(s.status, 'InitialGrace');
    assert.equal(s.lastError?.code, 'MAK_LIMIT_REACHED');
    // A permanent refusal: recorded and not retried until an administrator acts.
    assert.equal(s.lastError?.permanent, true);
    assert.equal(s.nextAttemptAt, null);
    assert.equal((await agents.alpha.status()).partialKey, alphaKey);
    await restartKeepsState(c, 'InitialGrace');
  });

  it('activates offline: installation ID -> authority proxy-activate -> confirm -> Licensed', async () => {
    const mak = await issueMak(5);
    // An isolated machine: its authority URL leads nowhere, so only the offline path works.
    const d = await newAgent('delta-offline', { authorityUrl: 'http://127.0.0.1:9' });
    // Installed only: it cannot reach the authority (a plain install would exit 4, the activation it starts failing).
    const install = await d.json<{ activation: { attempted: boolean } }>(['key', 'install', mak, '--no-activate']);
    assert.equal(install.activation.attempted, false);

    const iidText = await d.run(['offline', 'iid']);
    assert.equal(iidText.code, 0, iidText.stderr);
    const iid = (await d.json<{ installationId: string }>(['offline', 'iid'])).installationId;
    assert.ok(iidText.stdout.includes(`Installation ID: ${iid}`));

    const work = group.tempDir('vact-e2e-proxy-');
    fs.writeFileSync(path.join(work, 'iids.txt'), `${iid}\n`);
    const proxy = await group.runVact(['authority', 'proxy-activate', '--in', path.join(work, 'iids.txt'), '--out', path.join(work, 'cids.txt'), '--url', authorityUrl]);
    assert.equal(proxy.code, 0, `${proxy.stdout}\n${proxy.stderr}`);
    const cid = fs.readFileSync(path.join(work, 'cids.txt'), 'utf8').split('\n')[0].trim();
    assert.ok(cid.length > 0);

    // A mangled confirmation ID is refused with a reason and changes nothing.
    const mangled = cid.slice(0, -1) + (cid.endsWith('1') ? '2' : '1');
    const bad = await d.run(['offline', 'confirm', mangled]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /what to do:/);
    assert.equal((await d.status()).status, 'InitialGrace');

    // A standard user may read the IID but not install the confirmation.
    const asUser = await d.runAsUser(['offline', 'confirm', cid]);
    assert.equal(asUser.code, 3);
    assert.equal((await d.status()).status, 'InitialGrace');

    const ok = await d.run(['offline', 'confirm', cid]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /deposited successfully/);
    const s = await d.status();
    assert.equal(s.status, 'Licensed');
    assert.equal(s.channel, 'offline');
    assertNoClearKey(d.dir, mak);
    // The installation ID is made from the seal, so it stays the same without the clear key.
    assert.equal((await d.json<{ installationId: string }>(['offline', 'iid'])).installationId, iid);
    await restartKeepsState(d, 'Licensed');
  });

  it('runs a full 30-day grace with its reminders and switches to Notification', async () => {
    const e = await newAgent('echo');
    const start = await e.status();
    assert.equal(start.status, 'InitialGrace');
    const graceEnd = Date.parse(start.graceEndsAt ?? '');
    assert.equal(graceEnd - Date.parse(start.now), 30 * DAY);

    // A subscriber (user token) is pushed every reminder and the state change.
    const userToken = fs.readFileSync(path.join(e.dir, 'user.token'), 'utf8').trim();
    const sub = await ControlClient.connect({ url: e.url, token: userToken });
    const pushed: ControlNotification[] = [];
    sub.onNotification((n) => pushed.push(n));
    await sub.subscribe(['reminder', 'state']);
    try {
      // A standard user cannot move the clock.
      const userAdvance = await e.runAsUser(['clock', 'advance', '1d']);
      assert.equal(userAdvance.code, 3);
      assert.equal((await e.json<{ now: string }>(['clock', 'now'])).now, start.now);

      for (const step of ['10d', '10d', '7d', '2d', '23h']) {
        const r = await e.run(['clock', 'advance', step]);
        assert.equal(r.code, 0, r.stderr);
      }
      assert.equal((await e.status()).status, 'InitialGrace');
      const r = await e.run(['clock', 'advance', '2h']);
      assert.equal(r.code, 0, r.stderr);
      await sub.call('status', {});
    } finally {
      await sub.close();
    }

    const s = await e.status();
    assert.equal(s.status, 'Notification');
    assert.equal(s.statusCode, 5);
    // The handshake tells the agent's (simulated) time, 30 days past the wall clock by now.
    const late = await ControlClient.connect({ url: e.url, token: userToken });
    try {
      assert.equal(late.handshake.serverTime, s.now);
    } finally {
      await late.close();
    }
    const text = await e.run(['status']);
    assert.match(text.stdout, /^License Status: Notification$/m);
    assert.match((await e.run(['expiry'])).stdout, /grace period has ended/);

    const events = (await e.json<{ events: { eventId: number; time: string }[] }>(['events', '--limit', '1000'])).events;
    const allReminders = events.filter((x) => x.eventId === REMINDER_EVENT).map((x) => Date.parse(x.time)).filter((t) => t > Date.parse(start.now));
    // Grace reminders; the one at the grace end itself opens the daily Notification reminders.
    const reminders = allReminders.filter((t) => t < graceEnd);
    assert.ok(allReminders.includes(graceEnd), 'a reminder when the grace period ends');
    const remaining = reminders.map((t) => graceEnd - t);
    const daily = remaining.filter((r) => r > 3 * DAY);
    const fourHourly = remaining.filter((r) => r <= 3 * DAY && r > DAY);
    const hourly = remaining.filter((r) => r <= DAY && r > 0);
    // Once a day until 3 days remain, every 4 hours on the next two days, every hour on the last day.
    assert.equal(daily.length, 26, `daily reminders after the first: ${daily.length}`);
    assert.equal(fourHourly.length, 12, `4-hourly reminders: ${fourHourly.length}`);
    assert.equal(hourly.length, 24, `hourly reminders: ${hourly.length}`);
    for (const t of hourly.map((r) => graceEnd - r)) assert.equal(t % HOUR, 0, `hourly reminder not on the hour: ${new Date(t).toISOString()}`);
    const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]);
    assert.ok(gaps(reminders.filter((x) => graceEnd - x > 3 * DAY)).every((g) => g === DAY), 'daily reminders one day apart');
    assert.ok(gaps(reminders.filter((x) => graceEnd - x <= 3 * DAY && graceEnd - x > DAY)).every((g) => g === 4 * HOUR), '4-hourly reminders 4 hours apart');

    const pushedReminders = pushed.filter((n) => n.method === 'license.reminder');
    assert.equal(pushedReminders.length, allReminders.length, 'every reminder was pushed to the subscriber');
    const changes = pushed.flatMap((n) => (n.method === 'license.stateChanged' ? [n.params.status.status] : []));
    assert.deepEqual(changes, ['Notification']);
    await restartKeepsState(e, 'Notification');
  });

  it('rearms three times, then refuses the fourth', async () => {
    const e = agents.echo;
    let cmid = (await e.status()).cmid;
    for (let i = 1; i <= 3; i++) {
      const r = await e.run(['rearm']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Remaining rearm count: ${3 - i}`));
      const s = await e.status();
      assert.equal(s.status, 'InitialGrace');
      assert.equal(s.remainingRearms, 3 - i);
      assert.equal(Date.parse(s.graceEndsAt ?? '') - Date.parse(s.now), 30 * DAY);
      assert.notEqual(s.cmid, cmid, 'rearm makes a new CMID');
      cmid = s.cmid;
      if (i === 1) await restartKeepsState(e, 'InitialGrace');
    }
    const before = await e.status();
    const r = await e.run(['rearm']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /REARM_LIMIT_REACHED/);
    assert.match(r.stderr, /what to do: Activate the machine/);
    assert.deepEqual(durable(await e.status()), durable(before));
  });

  it('a hardware change beyond tolerance puts a licensed machine in OutOfToleranceGrace', async () => {
    const a = agents.alpha;
    const hw = machine('alpha');
    // One component of five: still the same machine.
    a.setHardware({ ...hw, disks: ['disk-new'] });
    const small = await a.json<{ withinTolerance: boolean; changedComponents: string[]; status: StatusResult }>(['hardware', 'rescan']);
    assert.equal(small.withinTolerance, true);
    assert.equal(small.status.status, 'Licensed');
    // Three components: another machine as far as the license is concerned.
    a.setHardware({ ...hw, disks: ['disk-new'], board: 'board-new', system: 'system-new', machineId: 'machine-id-new' });
    const asUser = await a.runAsUser(['hardware', 'rescan']);
    assert.equal(asUser.code, 3);
    assert.equal((await a.status()).status, 'Licensed');
    const r = await a.run(['hardware', 'rescan']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /beyond tolerance/);
    const s = await a.status();
    assert.equal(s.status, 'OutOfToleranceGrace');
    assert.equal(s.statusCode, 3);
    assert.equal(Date.parse(s.graceEndsAt ?? '') - Date.parse(s.now), 30 * DAY);
    assert.match((await a.run(['status'])).stdout, /^License Status: Additional grace period \(OutOfToleranceGrace\)$/m);
    await restartKeepsState(a, 'OutOfToleranceGrace');
  });

  it('a standard user running admin commands gets "needs admin" and nothing changes', async () => {
    const b = agents.bravo;
    const before = await b.status();
    for (const args of [['rearm'], ['key', 'uninstall'], ['key', 'install', 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA'], ['clock', 'advance', '1d']]) {
      const r = await b.runAsUser(args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /NEEDS_ADMIN/);
      assert.match(r.stderr, /what to do: Run as an administrator/);
    }
    const j = await b.runAsUser(['rearm', '--json']);
    assert.equal(parseJsonOutput<{ error: { code: string } }>(j).error.code, 'NEEDS_ADMIN');
    assert.deepEqual(durable(await b.status()), durable(before));
    // What a standard user may do still works.
    const st = await b.runAsUser(['status']);
    assert.equal(st.code, 0, st.stderr);
    assert.equal((await b.runAsUser(['activate'])).code, 0);
  });

  it('key uninstall leaves the machine Unlicensed, and a restart keeps it so', async () => {
    const b = agents.bravo;
    const r = await b.run(['key', 'uninstall']);
    assert.equal(r.code, 0, r.stderr);
    const s = await b.status();
    assert.equal(s.status, 'Unlicensed');
    assert.equal(s.statusCode, 0);
    assert.equal(s.partialKey, null);
    assert.match((await b.run(['activate'])).stderr, /NO_KEY_INSTALLED/);
    await restartKeepsState(b, 'Unlicensed');
  });
});
