/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- raw JSON answers are asserted field by field */
// The authority on a real PostgreSQL server (started by the fixture): migrations from an
// empty database, and limits that hold across two replicas sharing the database.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Client } from 'pg';
import { ticketFromText, verifyTicket } from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';
import { ProcessGroup } from '../fixtures/processes';
import { startPostgres, type PostgresServer } from '../fixtures/postgres';
import { api, hex32, initAuthority, issueKey, makRequest, startAuthority, type AuthorityUnderTest } from './authority-harness';

describe('authority (PostgreSQL, two replicas, real processes)', function () {
  this.timeout(120_000);
  const group = new ProcessGroup();
  let pg: PostgresServer | undefined;
  let dbUrl: string;
  let one: AuthorityUnderTest;
  let two: AuthorityUnderTest;

  before(async () => {
    pg = await startPostgres();
    dbUrl = await pg.createDatabase('vact_authority');
    // Both replicas start at once on an empty database: the migration runs exactly once.
    const dir = path.join(group.tempDir('vact-authority-'), 'authority');
    await initAuthority(group, dir);
    [one, two] = await Promise.all([
      startAuthority(group, { dir, db: dbUrl, name: 'pg-replica-1' }),
      startAuthority(group, { dir, db: dbUrl, name: 'pg-replica-2' }),
    ]);
  });
  after(async () => {
    await group.dispose();
    await pg?.stop();
  });

  it('migrates an empty database at start and records the schema version once', async () => {
    assert.equal((await api(one.url, 'GET', '/v1/health')).body.db, 'postgres');
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const v = await c.query('SELECT version FROM schema_version ORDER BY version');
      assert.deepEqual(v.rows.map((r) => Number(r.version)), [1]);
      const tables = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
      assert.deepEqual(tables.rows.map((r) => r.table_name), ['audit_log', 'host_activations', 'mak_activations', 'product_keys', 'schema_version']);
    } finally {
      await c.end();
    }
    const listening = one.proc.jsonLines().find((l) => l.msg === 'listening')!;
    assert.equal(listening.schemaVersion, 1);
  });

  it('N concurrent MAK activations with limit L across two replicas: exactly L succeed', async () => {
    const L = 10;
    const N = 80;
    const key = await issueKey(one, 'mak', 'client-vl', L);
    const results = await Promise.all(Array.from({ length: N }, (_, i) =>
      api(i % 2 ? two.url : one.url, 'POST', '/v1/activate/mak', { json: makRequest(key) })));
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, L);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 409 && r.body.error.code === 'MAK_LIMIT_REACHED'));
    // Both replicas took part, and the stored count agrees on both.
    assert.ok(one.proc.jsonLines().some((l) => l.path === '/v1/activate/mak'));
    assert.ok(two.proc.jsonLines().some((l) => l.path === '/v1/activate/mak'));
    for (const a of [one, two]) {
      const info = await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token });
      assert.equal(info.body.used, L);
      assert.equal(info.body.remaining, 0);
    }
    const audit = (await api(one.url, 'GET', '/v1/audit?limit=1000', { token: one.token })).body.entries
      .filter((e: { partialKey: string; action: string }) => e.partialKey === key.slice(-5) && e.action === 'activate-mak');
    assert.equal(audit.filter((e: { result: string }) => e.result === 'activated').length, L);
    assert.equal(audit.filter((e: { result: string }) => e.result === 'MAK_LIMIT_REACHED').length, N - L);
  });

  it('the same machine activating concurrently on both replicas is counted once', async () => {
    const key = await issueKey(two, 'mak', 'client-vl', 1);
    const machine = makRequest(key);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api(i % 2 ? two.url : one.url, 'POST', '/v1/activate/mak', { json: { ...machine, nonce: hex32() } })));
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.status)));
    assert.equal(results.filter((r) => r.body.repeat === false).length, 1);
    verifyTicket(nodeEd25519, one.publicKey, ticketFromText(results[0].body.ticket), {
      cmid: machine.cmid, hardwareHash: machine.hardwareHash, edition: machine.edition, now: Date.now(),
    });
    assert.equal((await api(one.url, 'GET', `/v1/keys/${key}`, { token: one.token })).body.used, 1);
  });

  it('a KMS host key reaches at most 6 hosts under concurrent activations across replicas', async () => {
    const key = await issueKey(one, 'kms-host', 'server-c');
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) =>
      api(i % 2 ? two.url : one.url, 'POST', '/v1/activate/kms-host', {
        json: { key, hostPublicKey: nodeEd25519.generateKeyPair().publicKey, hardwareHash: hex32(), edition: 'server-datacenter' },
      })));
    assert.equal(results.filter((r) => r.status === 200).length, 6);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'KMS_HOST_KEY_HOST_LIMIT'));
    const info = await api(two.url, 'GET', `/v1/keys/${key}`, { token: two.token });
    assert.equal(info.body.hosts.length, 6);
  });

  it('revocation on one replica is seen by the other, and bad input stores nothing', async () => {
    const key = await issueKey(one, 'mak', 'server-b', 5);
    assert.equal((await api(one.url, 'POST', `/v1/keys/${key}/revoke`, { token: one.token })).status, 200);
    const r = await api(two.url, 'POST', '/v1/activate/mak', { json: makRequest(key, 'server-standard') });
    assert.equal(r.body.error.code, 'KEY_REVOKED');
    const bad = await api(two.url, 'POST', '/v1/activate/mak', { json: { ...makRequest(key, 'server-standard'), extra: true } });
    assert.equal(bad.status, 400);
    assert.equal((await api(one.url, 'GET', `/v1/keys/${key}`, { token: one.token })).body.used, 0);
  });

  it('moves a SQLite authority to PostgreSQL with copy-db, keeping keys, counts and the audit trail', async () => {
    const lite = await startAuthority(group, { name: 'sqlite-before-move' });
    const key = await issueKey(lite, 'mak', 'client-vl', 3);
    const machine = makRequest(key);
    assert.equal((await api(lite.url, 'POST', '/v1/activate/mak', { json: machine })).status, 200);
    assert.equal((await api(lite.url, 'POST', '/v1/activate/mak', { json: makRequest(key) })).status, 200);
    const hostKey = await issueKey(lite, 'kms-host', 'client-vl');
    assert.equal((await api(lite.url, 'POST', '/v1/activate/kms-host', {
      json: { key: hostKey, hostPublicKey: nodeEd25519.generateKeyPair().publicKey, hardwareHash: hex32(), edition: 'client-enterprise' },
    })).status, 200);
    const auditBefore = (await api(lite.url, 'GET', '/v1/audit?limit=1000', { token: lite.token })).body.entries;
    assert.equal((await lite.proc.stop()).code, 0);

    const target = await pg!.createDatabase('vact_moved');
    const copy = await group.runVact(['authority', 'copy-db', '--from', `sqlite:${path.join(lite.dir, 'authority.db')}`, '--to', target, '--json']);
    assert.equal(copy.code, 0, copy.stderr);
    assert.deepEqual(JSON.parse(copy.stdout).rows, { product_keys: 2, mak_activations: 2, host_activations: 1, audit_log: auditBefore.length });
    const again = await group.runVact(['authority', 'copy-db', '--from', `sqlite:${path.join(lite.dir, 'authority.db')}`, '--to', target]);
    assert.notEqual(again.code, 0, 'copying into a database that holds keys is refused');
    assert.match(again.stderr, /ALREADY_EXISTS/);

    const moved = await startAuthority(group, { dir: lite.dir, db: target, name: 'postgres-after-move' });
    const info = await api(moved.url, 'GET', `/v1/keys/${key}`, { token: moved.token });
    assert.equal(info.body.used, 2);
    const repeat = await api(moved.url, 'POST', '/v1/activate/mak', { json: { ...machine, nonce: hex32() } });
    assert.equal(repeat.body.repeat, true, 'activations made before the move are known after it');
    assert.equal((await api(moved.url, 'POST', '/v1/activate/mak', { json: makRequest(key) })).status, 200);
    assert.equal((await api(moved.url, 'POST', '/v1/activate/mak', { json: makRequest(key) })).body.error.code, 'MAK_LIMIT_REACHED');
    const hostInfo = await api(moved.url, 'GET', `/v1/keys/${hostKey}`, { token: moved.token });
    assert.equal(hostInfo.body.hosts.length, 1);
    const auditAfter = (await api(moved.url, 'GET', '/v1/audit?limit=1000', { token: moved.token })).body.entries;
    assert.equal(auditAfter.length, auditBefore.length + 3);
    assert.ok(auditAfter[0].id > auditBefore[0].id, 'new audit ids continue after the copied ones');
    assert.equal((await moved.proc.stop()).code, 0);
  });

  it('stops both replicas cleanly on SIGTERM (exit 0, pool closed)', async () => {
    const [e1, e2] = await Promise.all([one.proc.stop(), two.proc.stop()]);
    assert.equal(e1.code, 0);
    assert.equal(e2.code, 0);
  });
});
