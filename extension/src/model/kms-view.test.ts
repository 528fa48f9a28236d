import { strict as assert } from 'node:assert';
import { parseIntervals, parseKmsHost, formatMinutes } from './kms-input';
import { hostSection, kmsDetailRows, kmsSection } from './kms-view';
import { nextReminder } from './next-reminder';
import { panelState } from './panel-model';
import { detailRows } from './agent-view';
import { kmsRefreshWanted, kmsRoleOf } from '../agents/kms-data';
import { FromWebviewSchema, PanelStateSchema } from '../panel/messages';
import { DAY, NOW, hostClient, hostStatus, kmsShow, snapshot, status } from './fixtures';

const HOUR = 3_600_000;

describe('extension KMS input checks', () => {
  it('takes HOST, HOST:PORT and [V6]:PORT and refuses anything else with a reason', () => {
    assert.deepEqual(parseKmsHost('kms1.lab.example'), { params: { host: 'kms1.lab.example' } });
    assert.deepEqual(parseKmsHost(' 10.0.0.5:1700 '), { params: { host: '10.0.0.5', port: 1700 } });
    assert.deepEqual(parseKmsHost('[fd00::5]:1688'), { params: { host: 'fd00::5', port: 1688 } });
    for (const [bad, why] of [['', /Enter a KMS host/], ['kms1:99999', /out of range/], ['kms1:0', /out of range/], ['tcp://kms1', /no scheme/], ['kms 1', /no scheme, path or spaces/], ['kms_1!', /not a host name/], ['kms1:abc', /not HOST\[:PORT\]/], ['a'.repeat(300), /not a host name/]] as const) {
      const r = parseKmsHost(bad);
      assert.ok('error' in r, `${bad} accepted`);
      assert.match(r.error, why, bad);
    }
  });

  it('takes intervals as minutes or durations within 15 min … 30 d (the control API schema)', () => {
    assert.deepEqual(parseIntervals('2h', '7d'), { params: { activationMinutes: 120, renewalMinutes: 10080 } });
    assert.deepEqual(parseIntervals('15', ''), { params: { activationMinutes: 15 } });
    assert.deepEqual(parseIntervals('', '30d'), { params: { renewalMinutes: 43200 } });
    const low = parseIntervals('14m', '');
    assert.ok('error' in low && /Activation interval: must be from 15 min to 30 d/.test(low.error));
    const high = parseIntervals('', '31d');
    assert.ok('error' in high && /^Renewal interval/.test(high.error));
    assert.ok('error' in parseIntervals('', ''));
    assert.ok('error' in parseIntervals('90s', ''));
    assert.ok('error' in parseIntervals('soon', ''));
    assert.equal(formatMinutes(10080), '7 d');
    assert.equal(formatMinutes(90), '90 min');
  });
});

describe('extension KMS client and host views', () => {
  it('KMS client: host, found by, count against the threshold, next retry, intervals (from kms.show)', () => {
    const s = snapshot('c', { kms: kmsShow() });
    const k = kmsSection(s);
    assert.ok(k);
    assert.equal(k.host, 'kms1.lab:1688');
    assert.match(k.foundBy, /^static/);
    assert.equal(k.countLabel, 'count 5 of 25');
    assert.equal(k.nextKind, 'retry');
    assert.equal(k.static, true);
    assert.match(k.intervals, /activation every 2 h, renewal every 7 d \(from the KMS host\)/);
    assert.deepEqual(kmsDetailRows(s), [{ label: 'KMS host', value: 'kms1.lab:1688 · static' }, { label: 'KMS count', value: 'count 5 of 25' }]);
    assert.equal(PanelStateSchema.safeParse(panelState(s)).success, true);
  });

  it('KMS client before kms.show is read: the status KMS lines, the edition threshold from the catalogue', () => {
    const s = snapshot('c', {}, { kms: { host: 'kms2:1688', foundBy: 'dns', count: 7, activationIntervalMinutes: 120, renewalIntervalMinutes: 10080, validUntil: null } });
    const k = kmsSection(s);
    assert.equal(k?.host, 'kms2:1688');
    assert.match(k?.foundBy ?? '', /^DNS/);
    assert.equal(k?.countLabel, 'count 7 of 25');
    const dns = kmsSection(snapshot('d', { kms: kmsShow({ hostSource: 'dns', staticHost: null, cachedHost: null, cachedHostSource: null, lastCount: null }) }));
    assert.equal(dns?.host, 'not found yet (DNS in lab.example)');
    assert.equal(dns?.countLabel, 'no count yet (threshold 25)');
    assert.equal(dns?.static, false);
  });

  it('no KMS sections for a MAK machine', () => {
    const s = snapshot('m', {}, { keyType: 'mak', channel: 'MAK', status: 'Licensed' });
    assert.equal(kmsSection(s), null);
    assert.equal(hostSection(s), null);
    assert.equal(kmsRoleOf(s.status), null);
  });

  it('KMS host: count, cache, thresholds, listener, certificate, clients with duplicate CMIDs first and flagged', () => {
    const clients = [hostClient('pc-1'), hostClient('pc-2', { duplicate: true, duplicates: [{ machineName: 'pc-2-clone', hardwareHash: 'x', at: NOW }, { machineName: 'pc-2-clone', hardwareHash: 'y', at: NOW }] }), hostClient('vm-3', { vm: true })];
    const s = snapshot('h', { host: { status: hostStatus(), clients } }, { keyType: 'kms-host', channel: 'KMS-host', status: 'Licensed', remainingMs: null });
    const h = hostSection(s);
    assert.ok(h?.ready);
    assert.equal(h.countLabel, 'count 3 of 25');
    assert.equal(h.thresholds, 'client 25 · server 5');
    assert.equal(h.listening, '0.0.0.0:1688');
    assert.match(h.certificate, /^valid until 2027-05-01 00:00 UTC/);
    assert.match(h.dns, /not publishing/);
    assert.match(h.requests, /4 answered, 1 refused by rule \(below-threshold 3, duplicate-cmid 1\)/);
    assert.deepEqual(h.clients.map((c) => [c.machineName, c.duplicate, c.duplicateOf]), [['pc-2', true, 'pc-2-clone'], ['pc-1', false, ''], ['vm-3', false, '']]);
    assert.equal(h.clients[2]?.vm, true);
    assert.deepEqual(kmsDetailRows(s), [{ label: 'KMS count', value: 'count 3 of 25' }, { label: 'KMS clients', value: '3 (1 duplicate CMID)' }]);
    const p = panelState(s);
    assert.equal(p.kms, null);
    assert.equal(PanelStateSchema.safeParse(p).success, true);
    const waiting = hostSection(snapshot('h', {}, { keyType: 'kms-host', status: 'Licensed' }));
    assert.equal(waiting?.ready, false);
  });

  it('tree rows show the lab role and edition of a lab machine', () => {
    const rows = detailRows(snapshot('l', { config: { id: 'l', name: 'client-1', url: 'ws://x', lab: { role: 'kms-client', edition: 'client-enterprise' } } }));
    assert.ok(rows.some((r) => r.label === 'lab' && r.value === 'kms-client · client-enterprise'));
  });

  it('re-reads the KMS data after host requests, client replies and interval changes, not after every event', () => {
    assert.equal(kmsRefreshWanted(12290), true);
    assert.equal(kmsRefreshWanted(12289), true);
    assert.equal(kmsRefreshWanted(12424), true);
    assert.equal(kmsRefreshWanted(12400), false);
  });

  it('accepts the KMS panel actions and nothing else', () => {
    for (const action of ['kmsSetHost', 'kmsClearHost', 'kmsIntervals']) assert.equal(FromWebviewSchema.safeParse({ type: 'action', action }).success, true);
    assert.equal(FromWebviewSchema.safeParse({ type: 'action', action: 'kmsSetHost', host: 'x' }).success, false);
  });
});

describe('extension next reminder (the shared reminder rules)', () => {
  it('in grace with 12 days left: the next daily slot after the last one', () => {
    const graceEnd = Date.parse(NOW) + 12 * DAY;
    const st = status({ graceEndsAt: new Date(graceEnd).toISOString(), details: { lastReminderAt: new Date(graceEnd - 30 * DAY + 18 * DAY).toISOString() } });
    assert.equal(nextReminder(st), graceEnd - 30 * DAY + 19 * DAY);
    assert.match(panelState(snapshot('a', {}, { graceEndsAt: st.graceEndsAt, details: st.details })).facts.find((f) => f.label === 'Next reminder')?.value ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  });

  it('on the final day: the next whole hour', () => {
    const graceEnd = Date.parse(NOW) + 5 * HOUR + 30 * 60_000;
    const st = status({ graceEndsAt: new Date(graceEnd).toISOString(), details: { lastReminderAt: NOW } });
    assert.equal(nextReminder(st), Date.parse(NOW) + HOUR);
  });

  it('in Notification: a day after the last reminder; none when Licensed', () => {
    const last = Date.parse(NOW) - 3 * HOUR;
    assert.equal(nextReminder(status({ status: 'Notification', statusCode: 5, graceEndsAt: null, remainingMs: null, details: { lastReminderAt: new Date(last).toISOString() } })), last + DAY);
    assert.equal(nextReminder(status({ status: 'Licensed', statusCode: 1, graceEndsAt: null })), null);
    assert.equal(panelState(snapshot('l', {}, { status: 'Licensed', statusCode: 1, graceEndsAt: null, remainingMs: null, channel: 'MAK', keyType: 'mak' })).facts.find((f) => f.label === 'Next reminder')?.value, 'none scheduled');
  });
});
