import assert from 'node:assert/strict';
import { TokenBucketLimiter, parseRateLimit } from './rate-limiter';
import { redactPath } from './request-log';
import { parseListen } from './run-authority';
import { parseDbSetting, redactDbUrl } from '../storage/open-store';
import { parseProxyInput } from '../cli/proxy-activate-command';

describe('authority server helpers', () => {
  it('token buckets allow a burst, then refill at the rate, per client', () => {
    let t = 0;
    const l = new TokenBucketLimiter({ ratePerSecond: 2, burst: 3 }, () => t);
    assert.deepEqual([1, 2, 3].map(() => l.take('a').ok), [true, true, true]);
    assert.deepEqual(l.take('a'), { ok: false, retryAfterSeconds: 1 });
    assert.equal(l.take('b').ok, true, 'another client has its own bucket');
    t += 500;
    assert.equal(l.take('a').ok, true);
    assert.equal(l.take('a').ok, false);
  });

  it('parses --rate-limit', () => {
    assert.equal(parseRateLimit('0'), null);
    assert.deepEqual(parseRateLimit('20/100'), { ratePerSecond: 20, burst: 100 });
    assert.deepEqual(parseRateLimit('5'), { ratePerSecond: 5, burst: 10 });
    assert.throws(() => parseRateLimit('fast'), (e: { code?: string }) => e.code === 'INVALID_CONFIG');
  });

  it('redacts product keys in logged paths to the partial key', () => {
    assert.equal(redactPath('/v1/keys/ACDEF-GHJKM-NPRTV-WXY34-6789A/revoke'), '/v1/keys/*****-*****-*****-*****-6789A/revoke');
    assert.equal(redactPath('/v1/health'), '/v1/health');
  });

  it('parses --listen and knows loopback addresses', () => {
    assert.deepEqual(parseListen('127.0.0.1:8470'), { host: '127.0.0.1', port: 8470 });
    assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseListen('9000'), { host: '127.0.0.1', port: 9000 });
    assert.throws(() => parseListen('localhost'), (e: { code?: string }) => e.code === 'INVALID_CONFIG');
  });

  it('parses --db and never shows a database password', () => {
    assert.deepEqual(parseDbSetting(undefined, '/d'), { kind: 'sqlite', path: '/d/authority.db' });
    assert.deepEqual(parseDbSetting('sqlite:/x/a.db', '/d'), { kind: 'sqlite', path: '/x/a.db' });
    assert.equal(parseDbSetting('postgres://u:p@h/db', '/d').kind, 'postgres');
    assert.throws(() => parseDbSetting('mysql://u:secret@h/db', '/d'), (e: Error) => !e.message.includes('secret'));
    assert.equal(redactDbUrl('postgres://u:secret@h:5432/db'), 'postgres://u:***@h:5432/db');
  });

  it('reads proxy input as JSON or as one installation ID per line', () => {
    assert.deepEqual(parseProxyInput('["a","b"]', 'f'), [{ installationId: 'a' }, { installationId: 'b' }]);
    assert.deepEqual(parseProxyInput('{"installationIds":["a"]}', 'f'), [{ installationId: 'a' }]);
    assert.deepEqual(parseProxyInput('[{"installationId":"a","name":"pc1"}]', 'f'), [{ installationId: 'a', name: 'pc1' }]);
    assert.deepEqual(parseProxyInput('# lab\n a \r\n\nb\n', 'f'), [{ installationId: 'a' }, { installationId: 'b' }]);
    assert.throws(() => parseProxyInput('[1]', 'f'), (e: { code?: string }) => e.code === 'INVALID_REQUEST');
    assert.throws(() => parseProxyInput('{"x":', 'f'), (e: { code?: string }) => e.code === 'INVALID_REQUEST');
  });
});
