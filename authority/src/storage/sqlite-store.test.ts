import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSqliteStore } from './sqlite-store';
import { openSqliteDatabase } from './sqlite-driver';
import { LATEST_SCHEMA_VERSION } from './migrations';
import type { AuthorityStore, KeyRecord, MakClaim } from './store';

const key = (over: Partial<KeyRecord> = {}): KeyRecord => ({
  key: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', partialKey: 'AAAAA', type: 'mak', group: 'client-vl', limit: 2, used: 0,
  note: null, issuedAt: 1, revokedAt: null, ...over,
});
const audit = { at: 1, action: 'issue-key', partialKey: 'AAAAA', who: 'test', cmid: null, result: 'issued', detail: null };
const claim = (hw: string, over: Partial<MakClaim> = {}): MakClaim => ({
  key: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA', partialKey: 'AAAAA', hardwareHash: hw, cmid: 'c'.repeat(32), edition: 'client-enterprise',
  channel: 'MAK', at: 2, who: '127.0.0.1', check: () => undefined, ...over,
});

describe('SQLite store', () => {
  let dir: string;
  let store: AuthorityStore | undefined;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-sqlite-')); });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrates an empty database to the latest schema, and reopening applies nothing twice', async () => {
    const file = path.join(dir, 'a.db');
    store = openSqliteStore(file);
    assert.equal(await store.schemaVersion(), LATEST_SCHEMA_VERSION);
    await store.close();
    store = openSqliteStore(file);
    const db = openSqliteDatabase(file, { readonly: true });
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n, LATEST_SCHEMA_VERSION);
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    db.close();
  });

  it('refuses a database written by a newer build', async () => {
    const file = path.join(dir, 'b.db');
    await openSqliteStore(file).close();
    const db = openSqliteDatabase(file);
    db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'future', 0);
    db.close();
    assert.throws(() => openSqliteStore(file), (e: { code?: string }) => e.code === 'STATE_VERSION_UNSUPPORTED');
  });

  it('counts a MAK once per hardware, refuses past the limit, and audits every attempt', async () => {
    store = openSqliteStore(path.join(dir, 'c.db'), { synchronous: 'normal' });
    assert.equal(await store.insertKey(key(), audit), true);
    assert.equal(await store.insertKey(key(), audit), false, 'a duplicate key is not stored twice');
    assert.deepEqual(await store.claimMak(claim('h1')), { ok: true, repeat: false, used: 1, limit: 2 });
    assert.deepEqual(await store.claimMak(claim('h1')), { ok: true, repeat: true, used: 1, limit: 2 });
    assert.deepEqual(await store.claimMak(claim('h2')), { ok: true, repeat: false, used: 2, limit: 2 });
    assert.deepEqual(await store.claimMak(claim('h3')), { ok: false, code: 'MAK_LIMIT_REACHED' });
    assert.deepEqual(await store.claimMak(claim('h4', { check: () => 'KEY_REVOKED' })), { ok: false, code: 'KEY_REVOKED' });
    assert.deepEqual(await store.claimMak(claim('h4', { key: 'CCCCC-CCCCC-CCCCC-CCCCC-CCCCC' })), { ok: false, code: 'KEY_NOT_GENUINE' });
    assert.equal((await store.getKey(key().key))!.used, 2);
    const trail = await store.auditTrail(100);
    assert.deepEqual(trail.map((e) => e.result).reverse(), ['issued', 'activated', 'repeat', 'activated', 'MAK_LIMIT_REACHED', 'KEY_REVOKED', 'KEY_NOT_GENUINE']);
    const revoked = await store.revokeKey(key().key, 5, { ...audit, action: 'revoke-key', result: 'revoked' });
    assert.equal(revoked!.revokedAt, 5);
    assert.equal((await store.revokeKey(key().key, 9, audit))!.revokedAt, 5, 'revoking twice keeps the first time');
    assert.equal(await store.revokeKey('CCCCC-CCCCC-CCCCC-CCCCC-CCCCC', 5, audit), undefined);
  });

  it('counts KMS host activations per host and hosts per key', async () => {
    store = openSqliteStore(path.join(dir, 'd.db'));
    await store.insertKey(key({ type: 'kms-host', limit: 2 }), audit);
    const host = (hw: string) => ({
      key: key().key, partialKey: 'AAAAA', hardwareHash: hw, hostPublicKey: 'pk', edition: 'server-standard', at: 3, who: 'x',
      maxActivationsPerHost: 2, check: () => undefined,
    });
    assert.deepEqual(await store.claimHost(host('a')), { ok: true, activations: 1, hosts: 1 });
    assert.deepEqual(await store.claimHost(host('a')), { ok: true, activations: 2, hosts: 1 });
    assert.deepEqual(await store.claimHost(host('a')), { ok: false, code: 'KMS_HOST_KEY_REACTIVATION_LIMIT' });
    assert.deepEqual(await store.claimHost(host('b')), { ok: true, activations: 1, hosts: 2 });
    assert.deepEqual(await store.claimHost(host('c')), { ok: false, code: 'KMS_HOST_KEY_HOST_LIMIT' });
    assert.deepEqual((await store.hostUsage(key().key)).map((h) => [h.hardwareHash, h.activations]), [['a', 2], ['b', 1]]);
  });
});
