import { strict as assert } from 'node:assert';
import { deadlineOf, detailRows, formatRemaining, groupAgents, sortAgents, stateLine, stateLook } from './agent-view';
import { DAY, NOW, snapshot } from './fixtures';

describe('extension agent view model', () => {
  it('shows grace with the days left, the channel and the last error code', () => {
    assert.equal(stateLine(snapshot('a')), 'Initial grace · KMS · 12 d left');
    assert.equal(stateLine(snapshot('a', {}, { lastError: { code: 'NO_KMS_HOST', message: 'no host', at: NOW } })), 'Initial grace · KMS · 12 d left · NO_KMS_HOST');
  });

  it('shows a KMS licence with its renewal and a MAK licence without a deadline', () => {
    const renew = new Date(Date.parse(NOW) + 5 * DAY + 1000).toISOString();
    assert.equal(stateLine(snapshot('k', {}, { status: 'Licensed', statusCode: 1, remainingMs: 170 * DAY, nextAttemptAt: renew })), 'Licensed · KMS · renews in 5 d');
    assert.equal(stateLine(snapshot('m', {}, { status: 'Licensed', statusCode: 1, channel: 'MAK', remainingMs: null })), 'Licensed · MAK');
    assert.equal(stateLook(snapshot('m', {}, { status: 'Licensed' })).tone, 'ok');
  });

  it('says offline honestly, with the error in the details', () => {
    const off = snapshot('o', { kind: 'offline', error: 'ECONNREFUSED' });
    assert.equal(stateLine(off), 'offline');
    assert.equal(stateLook(off).icon, 'debug-disconnect');
    assert.deepEqual(detailRows(off).map((r) => r.value), [off.config.url, 'ECONNREFUSED']);
    assert.equal(stateLine(snapshot('n', {}, { status: 'Notification', remainingMs: null })), 'Notification · KMS');
  });

  it('formats remaining time in days, hours or minutes', () => {
    assert.equal(formatRemaining(5 * DAY), '5 d');
    assert.equal(formatRemaining(36 * 3_600_000), '36 h');
    assert.equal(formatRemaining(61_000), '2 min');
  });

  it('sorts by deadline soonest first, agents without one last, and groups most urgent first', () => {
    const a = snapshot('a', {}, { remainingMs: 3 * DAY });
    const b = snapshot('b', {}, { remainingMs: 1 * DAY });
    const c = snapshot('c', {}, { status: 'Licensed', channel: 'MAK', remainingMs: null });
    const d = snapshot('d', { kind: 'offline' }, null);
    assert.deepEqual(sortAgents([c, a, d, b], 'deadline').map((s) => s.config.name), ['b', 'a', 'c', 'd']);
    assert.deepEqual(sortAgents([c, a, d, b], 'name').map((s) => s.config.name), ['a', 'b', 'c', 'd']);
    assert.equal(deadlineOf(b), Date.parse(NOW) + DAY);
    const groups = groupAgents([c, a, d, b], 'deadline');
    assert.deepEqual(groups.map((g) => [g.label, g.agents.map((s) => s.config.name)]), [['Initial grace', ['b', 'a']], ['Licensed', ['c']], ['offline', ['d']]]);
  });

  it('lists edition, channel, partial key, CMID and the KMS host for KMS clients only', () => {
    const kms = detailRows(snapshot('a', {}, { details: { kmsHost: 'kms1.lab.test:1688' } }));
    assert.deepEqual(kms.slice(0, 5).map((r) => r.label), ['edition', 'channel', 'partial key', 'CMID', 'KMS host']);
    assert.equal(kms[4]?.value, 'kms1.lab.test:1688 · static');
    assert.equal(kms[5]?.value, 'no count yet (threshold 25)');
    const mak = detailRows(snapshot('m', {}, { channel: 'MAK', keyType: 'mak', details: { kmsHost: null } }));
    assert.ok(!mak.some((r) => r.label === 'KMS host'));
  });
});
