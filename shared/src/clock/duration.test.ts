import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VactError } from '../errors/error-codes';
import { MAX_DURATION_MS, formatDuration, parseDuration } from './duration';

describe('durations', () => {
  it('parses the forms people type', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('15m'), 15 * 60_000);
    assert.equal(parseDuration('2h'), 2 * 3_600_000);
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
    assert.equal(parseDuration('1w'), 7 * 86_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration(' 1.5H '), 5_400_000);
    assert.equal(parseDuration('0s'), 0);
  });

  it('refuses anything else with INVALID_DURATION', () => {
    for (const bad of ['', '7', 'd', '-1d', '1y', '1d 2h', '.5h', '1dd', 'x'.repeat(100), '1000000w']) {
      assert.throws(() => parseDuration(bad), (e: unknown) => e instanceof VactError && e.code === 'INVALID_DURATION', bad);
    }
    assert.throws(() => parseDuration(7 as unknown as string), VactError);
  });

  it('formats as the shortest exact compound', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(36 * 3_600_000), '1d12h');
    assert.equal(formatDuration(180 * 86_400_000), '180d');
    assert.equal(formatDuration(1_500), '1s500ms');
    assert.equal(formatDuration(-7_200_000), '-2h');
    assert.equal(formatDuration(Number.POSITIVE_INFINITY), 'Infinity');
  });

  it('formatDuration and parseDuration round-trip', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
