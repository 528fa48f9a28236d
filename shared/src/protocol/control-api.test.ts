import assert from 'node:assert/strict';
import {
  ControlMethods,
  ControlNotifications,
  NotificationMethods,
  StatusResultSchema,
  fromWireTime,
  isControlMethod,
  requiredRole,
  roleAllows,
  toWireTime,
  type ControlMethodName,
} from './control-api';

const status = {
  status: 'Licensed', statusCode: 1, edition: 'client-enterprise', editionName: 'Lab Desktop 2 Enterprise', product: 'lab-desktop-2',
  description: 'Lab Desktop 2 Enterprise, VOLUME_MAK channel', channel: 'MAK', keyType: 'mak', keyGroup: 'client-vl', partialKey: 'TAMR7',
  cmid: '0123456789abcdef0123456789abcdef', hardwareHash: 'ab', graceEndsAt: null, validUntil: null, lastActivatedAt: '2026-11-27T00:00:00.000Z',
  remainingMs: null, remainingRearms: 3, lastError: null, nextAttemptAt: null,
  intervals: { activationMinutes: 120, renewalMinutes: 10080, source: 'default' },
  now: '2026-11-27T00:00:00.000Z', trustedTime: '2026-11-27T00:00:00.000Z', clock: 'system',
};

describe('control API schemas', () => {
  it('admin methods are exactly the ones that change keys, rearm, confirm offline, rescan hardware, move the clock or change KMS settings', () => {
    const admin = (Object.keys(ControlMethods) as ControlMethodName[]).filter((m) => requiredRole(m) === 'admin').sort();
    assert.deepEqual(admin, ['clock.advance', 'hardware.rescan', 'key.install', 'key.uninstall', 'kms.clear', 'kms.domain.add', 'kms.domain.remove', 'kms.intervals', 'kms.port', 'kms.set', 'offline.confirm', 'rearm']);
    assert.equal(roleAllows('user', 'rearm'), false);
    assert.equal(roleAllows('admin', 'rearm'), true);
    assert.equal(roleAllows('user', 'activate'), true);
  });

  it('knows its methods, including inherited object names', () => {
    assert.equal(isControlMethod('status'), true);
    assert.equal(isControlMethod('toString'), false);
    assert.equal(isControlMethod('__proto__'), false);
  });

  it('accepts a full status and refuses wrong types, unknown states and non-ISO times', () => {
    assert.equal(StatusResultSchema.safeParse(status).success, true);
    assert.equal(StatusResultSchema.safeParse({ ...status, status: 'Activated' }).success, false);
    assert.equal(StatusResultSchema.safeParse({ ...status, graceEndsAt: 'tomorrow' }).success, false);
    assert.equal(StatusResultSchema.safeParse({ ...status, remainingRearms: -1 }).success, false);
    const missing: Record<string, unknown> = { ...status };
    delete missing.cmid;
    assert.equal(StatusResultSchema.safeParse(missing).success, false);
  });

  it('params are strict: unknown fields and wrong types are refused', () => {
    assert.equal(ControlMethods['key.install'].params.safeParse({ key: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' }).success, true);
    assert.equal(ControlMethods['key.install'].params.safeParse({ key: 'x', force: true }).success, false);
    assert.equal(ControlMethods['key.install'].params.safeParse({ key: 'x'.repeat(65) }).success, false);
    assert.equal(ControlMethods.rearm.params.safeParse({ n: 1 }).success, false);
    assert.equal(ControlMethods['clock.advance'].params.safeParse({ ms: 0 }).success, false);
    assert.equal(ControlMethods['clock.advance'].params.safeParse({ ms: 1.5 }).success, false);
    assert.equal(ControlMethods['events.query'].params.safeParse({ limit: 1001 }).success, false);
    assert.equal(ControlMethods['events.query'].params.safeParse({ since: '2026-11-27T00:00:00Z', eventIds: [12288] }).success, true);
    assert.equal(ControlMethods.subscribe.params.safeParse({ topics: ['state', 'nope'] }).success, false);
    assert.equal(ControlMethods.handshake.params.safeParse({ protocol: 1, token: 't'.repeat(257) }).success, false);
  });

  it('every notification method has a topic and a schema', () => {
    for (const m of Object.values(NotificationMethods)) {
      assert.ok(ControlNotifications[m].topic);
    }
    assert.equal(ControlNotifications['event.logged'].params.safeParse({ event: { seq: 1, eventId: 12288, time: '2026-11-27T00:00:00.000Z', level: 'info', message: 'x' } }).success, true);
    assert.equal(ControlNotifications['license.stateChanged'].params.safeParse({ previous: 'InitialGrace', status, reason: 'activated' }).success, true);
  });

  it('converts wire times both ways', () => {
    assert.equal(toWireTime(0), '1970-01-01T00:00:00.000Z');
    assert.equal(toWireTime(null), null);
    assert.equal(fromWireTime('2026-11-27T00:00:00.000Z'), Date.UTC(2026, 10, 27));
    assert.equal(fromWireTime(null), null);
  });
});
