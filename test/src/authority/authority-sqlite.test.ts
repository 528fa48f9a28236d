import { randomBytes } from 'node:crypto';
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- raw JSON answers are asserted field by field */
// The authority as a real `vact authority serve` process on SQLite, over HTTP.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  verifyTicket, ticketFromText, verifyHostCertificate, encodeProductKey, encodeInstallationId, decodeInstallationId, installationIdNonce, sealProductKey, makProof, bindKeyOf, sealParts, decodeConfirmationId, referenceCatalogue,
} from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';
import { ProcessGroup, parseJsonOutput } from '../fixtures/processes';
import { api, hex32, issueKey, makRequest, startAuthority, type AuthorityUnderTest, type MakBody } from './authority-harness';

const catalogue = referenceCatalogue();
const groupIds = catalogue.groups.map((g) => g.id);
const editionIds = catalogue.editions.map((e) => e.id);

describe('authority (SQLite, real process)', function () {
  this.timeout(60_000);
  const group = new ProcessGroup();
  let a: AuthorityUnderTest;

  before(async () => {
    a = await startAuthority(group, { name: 'authority-sqlite' });
  });
  after(() => group.dispose());

  describe('init', () => {
    it('writes the root key pair and admin token with private files at mode 0600, and refuses to overwrite', async () => {
      const dir = path.join(group.tempDir(), 'auth');
      const r = await group.runVact(['authority', 'init', '--dir', dir, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = parseJsonOutput<{ publicKeyFile: string; publicKey: string }>(r);
      assert.equal(out.publicKeyFile, path.join(dir, 'authority-root.pub'));
      assert.equal(fs.readFileSync(out.publicKeyFile, 'utf8').trim(), out.publicKey);
      assert.equal(fs.statSync(path.join(dir, 'authority-root.key')).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.join(dir, 'admin.token')).mode & 0o777, 0o600);
      const before = fs.readFileSync(path.join(dir, 'authority-root.key'), 'utf8');
      const again = await group.runVact(['authority', 'init', '--dir', dir]);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /ALREADY_EXISTS/);
      assert.equal(fs.readFileSync(path.join(dir, 'authority-root.key'), 'utf8'), before);
    });
  });

  describe('public endpoints', () => {
    it('reports health and serves the root public key at /v1/authority-key', async () => {
      const h = await api(a.url, 'GET', '/v1/health');
      assert.equal(h.status, 200);
      assert.equal(h.body.status, 'ok');
      assert.equal(h.body.db, 'sqlite');
      const k = await api(a.url, 'GET', '/v1/authority-key');
      assert.deepEqual(k.body, { algorithm: 'Ed25519', publicKey: a.publicKey });
    });

    it('keeps the database, which holds every issued key, owner-only (0600)', () => {
      for (const f of fs.readdirSync(a.dir).filter((n) => n.startsWith('authority.db'))) {
        assert.equal(fs.statSync(path.join(a.dir, f)).mode & 0o777, 0o600, f);
      }
      assert.ok(fs.existsSync(path.join(a.dir, 'authority.db')));
    });
  });

  describe('MAK activation', () => {
    it('returns a ticket signed by the root, counts once per hardware, and refuses past the limit without counting', async () => {
      const key = await issueKey(a, 'mak', 'client-vl', 2);
      const first = makRequest(key);
      const r1 = await api(a.url, 'POST', '/v1/activate/mak', { json: first });
      assert.equal(r1.status, 200, JSON.stringify(r1.body));
      assert.equal(r1.body.repeat, false);
      assert.equal(r1.body.remaining, 1);
      const ticket = ticketFromText(r1.body.ticket);
      verifyTicket(nodeEd25519, a.publicKey, ticket, { cmid: first.cmid, hardwareHash: first.hardwareHash, edition: first.edition, nonce: first.nonce, now: Date.now() });
      assert.equal(ticket.body.channel, 'MAK');
      assert.equal(ticket.body.validUntil, null);
      assert.equal(ticket.body.partialKey, key.slice(-5));

      // Same hardware, new request: a fresh ticket, nothing consumed.
      const again = { ...first, nonce: hex32() };
      const r2 = await api(a.url, 'POST', '/v1/activate/mak', { json: again });
      assert.equal(r2.status, 200);
      assert.equal(r2.body.repeat, true);
      assert.equal(r2.body.remaining, 1);
      verifyTicket(nodeEd25519, a.publicKey, ticketFromText(r2.body.ticket), { cmid: again.cmid, hardwareHash: again.hardwareHash, edition: again.edition, nonce: again.nonce, now: Date.now() });

      assert.equal((await api(a.url, 'POST', '/v1/activate/mak', { json: makRequest(key) })).status, 200);
      const over = await api(a.url, 'POST', '/v1/activate/mak', { json: makRequest(key) });
      assert.equal(over.status, 409);
      assert.equal(over.body.error.code, 'MAK_LIMIT_REACHED');
      assert.equal(over.body.error.number, 2004);
      assert.ok(over.body.error.hint.length > 0);

      const info = await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token });
      assert.equal(info.body.used, 2);
      assert.equal(info.body.remaining, 0);
      // A machine that already activated still gets its ticket at the limit.
      assert.equal((await api(a.url, 'POST', '/v1/activate/mak', { json: { ...first, nonce: hex32() } })).status, 200);
    });

    it('refuses forged, malformed, wrong-type, wrong-group and revoked keys with their codes, counting nothing', async () => {
      const key = await issueKey(a, 'mak', 'client-vl', 5);
      const forged = encodeProductKey({ type: 'mak', group: 'client-vl', serial: 12345 }, groupIds);
      const cases: [MakBody, number, string][] = [
        [makRequest(forged), 403, 'KEY_NOT_GENUINE'],
        [makRequest('AAAAA-BBBBB-CCCCC-DDDDD-EEEEE'), 400, 'INVALID_KEY'],
        [makRequest(catalogue.editions[0].kmsClientSetupKey), 422, 'KEY_WRONG_TYPE'],
        [makRequest(key, 'server-standard'), 422, 'PRODUCT_NOT_COVERED_BY_KEY'],
        [makRequest(key, 'no-such-edition'), 400, 'UNKNOWN_EDITION'],
      ];
      for (const [body, status, code] of cases) {
        const r = await api(a.url, 'POST', '/v1/activate/mak', { json: body });
        assert.equal(r.status, status, `${code}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, code);
      }
      // Without a terminal, revoking needs --yes: refused, nothing sent.
      const unconfirmed = await group.runVact(['authority', 'key', 'revoke', key, '--url', a.url, '--dir', a.dir]);
      assert.equal(unconfirmed.code, 2, unconfirmed.stderr);
      assert.match(unconfirmed.stderr, /^error USAGE \(1011\): .*no terminal to confirm it: add --yes/m);
      assert.equal((await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token })).body.revoked, false);
      const rev = await group.runVact(['authority', 'key', 'revoke', key, '--yes', '--url', a.url, '--dir', a.dir, '--json']);
      assert.equal(rev.code, 0, rev.stderr);
      assert.equal(parseJsonOutput<{ revoked: boolean }>(rev).revoked, true);
      const r = await api(a.url, 'POST', '/v1/activate/mak', { json: makRequest(key) });
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, 'KEY_REVOKED');
      const info = await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token });
      assert.equal(info.body.used, 0);
    });
  });

  describe('KMS host activation', () => {
    it('issues host certificates to at most 6 hosts, 10 activations each, on allowed editions only', async () => {
      const key = await issueKey(a, 'kms-host', 'server-b');
      const host = (hw: string) => ({ key, hostPublicKey: nodeEd25519.generateKeyPair().publicKey, hardwareHash: hw, edition: 'server-enterprise' });
      const first = host(hex32());
      const r = await api(a.url, 'POST', '/v1/activate/kms-host', { json: first });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const cert = r.body.certificate;
      verifyHostCertificate(nodeEd25519, a.publicKey, cert, Date.now());
      assert.equal(cert.body.hostPublicKey, first.hostPublicKey);
      assert.equal(cert.body.hostKeyGroup, 'server-b');
      assert.equal(cert.body.validUntil - cert.body.issuedAt, 180 * 86_400_000);
      for (let i = 2; i <= 10; i++) {
        const again = await api(a.url, 'POST', '/v1/activate/kms-host', { json: { ...first, hostPublicKey: nodeEd25519.generateKeyPair().publicKey } });
        assert.equal(again.status, 200);
        assert.equal(again.body.activations, i);
      }
      const eleventh = await api(a.url, 'POST', '/v1/activate/kms-host', { json: first });
      assert.equal(eleventh.status, 409);
      assert.equal(eleventh.body.error.code, 'KMS_HOST_KEY_REACTIVATION_LIMIT');
      for (let i = 2; i <= 6; i++) assert.equal((await api(a.url, 'POST', '/v1/activate/kms-host', { json: host(hex32()) })).status, 200);
      const seventh = await api(a.url, 'POST', '/v1/activate/kms-host', { json: host(hex32()) });
      assert.equal(seventh.status, 409);
      assert.equal(seventh.body.error.code, 'KMS_HOST_KEY_HOST_LIMIT');

      const info = await group.runVact(['authority', 'key', 'info', key, '--url', a.url, '--dir', a.dir, '--json']);
      const ki = parseJsonOutput<{ used: number; remaining: number; hosts: { activations: number; activationsRemaining: number }[] }>(info);
      assert.equal(ki.used, 6);
      assert.equal(ki.remaining, 0);
      assert.equal(ki.hosts.length, 6);
      assert.deepEqual(ki.hosts.map((h) => h.activations).sort((x, y) => y - x), [10, 1, 1, 1, 1, 1]);
      assert.equal(ki.hosts.find((h) => h.activations === 10)!.activationsRemaining, 0);

      const serverKeyOnClient = await api(a.url, 'POST', '/v1/activate/kms-host', { json: { ...host(hex32()), edition: 'client-enterprise' } });
      assert.equal(serverKeyOnClient.status, 422);
      assert.equal(serverKeyOnClient.body.error.code, 'HOST_KEY_NOT_ALLOWED_ON_EDITION');
      const mak = await issueKey(a, 'mak', 'server-b', 1);
      const wrongType = await api(a.url, 'POST', '/v1/activate/kms-host', { json: { ...host(hex32()), key: mak } });
      assert.equal(wrongType.body.error.code, 'KEY_WRONG_TYPE');
    });
  });

  describe('offline confirmation and proxy-activate', () => {
    it('turns installation IDs into confirmation IDs, one per line in order, counted like MAK activations', async () => {
      const key = await issueKey(a, 'mak', 'client-vl', 2);
      const machines = [0, 1, 2].map(() => ({ seal: sealProductKey(key, a.publicKey, randomBytes(32)), hardwareHash: hex32(), edition: 'client-professional', cmid: hex32() }));
      const iids = machines.map((m) => encodeInstallationId(m, editionIds));
      const dir = group.tempDir();
      const inFile = path.join(dir, 'iids.txt');
      // Machine 0 twice (a repeat does not count), then 1, then a broken line, then 2 (over the limit).
      fs.writeFileSync(inFile, `# lab 4\n${iids[0]}\n\n${iids[0]}\n${iids[1]}\n12345-67890\n${iids[2]}\n`);
      const outFile = path.join(dir, 'cids.txt');
      const r = await group.runVact(['authority', 'proxy-activate', '--in', inFile, '--out', outFile, '--url', a.url, '--json']);
      assert.equal(r.code, 1, 'some items failed, so the exit code says so');
      const res = parseJsonOutput<{ total: number; confirmed: number; results: { ok: boolean; error?: { code: string } }[] }>(r);
      assert.equal(res.total, 5);
      assert.equal(res.confirmed, 3);
      assert.deepEqual(res.results.map((x) => x.ok ? 'ok' : x.error!.code), ['ok', 'ok', 'ok', 'INVALID_INSTALLATION_ID', 'MAK_LIMIT_REACHED']);
      const lines = fs.readFileSync(outFile, 'utf8').split('\n');
      assert.equal(lines.length, 6); // five items + final newline
      for (const [line, m] of [[lines[0], machines[0]], [lines[1], machines[0]], [lines[2], machines[1]]] as const) {
        const t = decodeConfirmationId(line);
        assert.equal(t.body.channel, 'offline');
        verifyTicket(nodeEd25519, a.publicKey, t, { cmid: m.cmid, hardwareHash: m.hardwareHash, edition: m.edition, nonce: installationIdNonce(decodeInstallationId(encodeInstallationId(m, editionIds), editionIds), editionIds), now: Date.now() });
      }
      assert.equal(lines[3], '');
      assert.equal(lines[4], '');

      // JSON in, per-item JSON out; an online MAK activation of machine 1 is a repeat, not a new count.
      const jsonIn = path.join(dir, 'iids.json');
      fs.writeFileSync(jsonIn, JSON.stringify([{ name: 'pc-1', installationId: iids[1] }]));
      const jsonOut = path.join(dir, 'cids.json');
      const r2 = await group.runVact(['authority', 'proxy-activate', '--in', jsonIn, '--out', jsonOut, '--url', a.url]);
      assert.equal(r2.code, 0, r2.stderr);
      const written = JSON.parse(fs.readFileSync(jsonOut, 'utf8'));
      assert.equal(written.results[0].name, 'pc-1');
      assert.equal(written.results[0].repeat, true);
      const online = await api(a.url, 'POST', '/v1/activate/mak', { json: { ...makRequest(key, 'client-professional'), cmid: machines[1].cmid, hardwareHash: machines[1].hardwareHash } });
      assert.equal(online.status, 200);
      assert.equal(online.body.repeat, true);
      assert.equal((await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token })).body.used, 2);
    });

    it('opens only IIDs sealed to it and unaltered; an IID gives no key to whoever decodes it; nothing is counted for a refusal', async () => {
      const key = await issueKey(a, 'mak', 'client-vl', 5);
      const m = { hardwareHash: hex32(), edition: 'client-professional', cmid: hex32() };
      const iid = encodeInstallationId({ ...m, seal: sealProductKey(key, a.publicKey, randomBytes(32)) }, editionIds);
      // The old attack: decode the IID and read the key. There is nothing to read.
      const decoded = JSON.stringify(decodeInstallationId(iid, editionIds));
      assert.ok(!decoded.includes(key) && !decoded.includes(key.replace(/-/g, '')));
      // Sealed to another authority, or one group replaced by a well-formed one: refused, not counted.
      const foreign = encodeInstallationId({ ...m, seal: sealProductKey(key, nodeEd25519.generateKeyPair().publicKey, randomBytes(32)) }, editionIds);
      const r1 = await api(a.url, 'POST', '/v1/offline/confirm', { json: { installationId: foreign } });
      assert.equal(r1.status, 400);
      assert.equal(r1.body.error.code, 'INVALID_INSTALLATION_ID');
      assert.match(r1.body.error.message, /not made for this authority, or it was altered/);
      assert.equal((await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token })).body.used, 0);
      const ok = await api(a.url, 'POST', '/v1/offline/confirm', { json: { installationId: iid } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal((await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token })).body.used, 1);
    });

    it('activates a MAK sent sealed with a proof for this very request, and refuses a wrong proof', async () => {
      const key = await issueKey(a, 'mak', 'client-vl', 5);
      const seal = sealProductKey(key, a.publicKey, randomBytes(32));
      const req = makRequest(key, 'client-professional');
      const machine = { cmid: req.cmid, hardwareHash: req.hardwareHash, edition: req.edition, nonce: req.nonce };
      const proof = makProof(bindKeyOf(seal), sealParts(seal), machine);
      const sealed = { ...machine, sealedKey: { ephemeralPublicKey: seal.ephemeralPublicKey, ciphertext: seal.ciphertext, proof } };
      const wrong = await api(a.url, 'POST', '/v1/activate/mak', { json: { ...sealed, nonce: randomBytes(16).toString('hex') } });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.code, 'INVALID_KEY');
      const both = await api(a.url, 'POST', '/v1/activate/mak', { json: { ...sealed, key } });
      assert.equal(both.body.error.code, 'INVALID_REQUEST');
      const r = await api(a.url, 'POST', '/v1/activate/mak', { json: sealed });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(ticketFromText(r.body.ticket).body.partialKey, key.slice(-5));
      // The same machine with the key in clear is a repeat: one activation.
      const clear = await api(a.url, 'POST', '/v1/activate/mak', { json: { ...req } });
      assert.equal(clear.body.repeat, true);
      assert.equal((await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token })).body.used, 1);
    });
  });

  describe('bad input', () => {
    it('answers malformed, oversized, unknown-field and unauthenticated requests with 4xx catalogue errors and stores nothing', async () => {
      const key = await issueKey(a, 'mak', 'client-vl', 3);
      const before = (await api(a.url, 'GET', '/v1/audit?limit=10000', { token: a.token })).body.entries.length;
      const checks: [Promise<{ status: number; body: any }>, number, string][] = [
        [api(a.url, 'POST', '/v1/activate/mak', { raw: '{"key": ', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_REQUEST'],
        [api(a.url, 'POST', '/v1/activate/mak', { raw: '' }), 400, 'INVALID_REQUEST'],
        [api(a.url, 'POST', '/v1/activate/mak', { json: [1, 2] }), 400, 'INVALID_REQUEST'],
        [api(a.url, 'POST', '/v1/activate/mak', { json: { ...makRequest(key), extra: 1 } }), 400, 'INVALID_REQUEST'],
        [api(a.url, 'POST', '/v1/activate/mak', { json: { ...makRequest(key), cmid: 'not-hex' } }), 400, 'INVALID_REQUEST'],
        [api(a.url, 'POST', '/v1/activate/mak', { raw: JSON.stringify({ ...makRequest(key), pad: 'x'.repeat(70 * 1024) }) }), 413, 'PAYLOAD_TOO_LARGE'],
        [api(a.url, 'POST', '/v1/keys', { json: { type: 'mak', group: 'client-vl' } }), 401, 'UNAUTHORIZED'],
        [api(a.url, 'POST', '/v1/keys', { json: { type: 'mak', group: 'client-vl' }, token: 'wrong' }), 401, 'UNAUTHORIZED'],
        [api(a.url, 'GET', `/v1/keys/${key}`, { token: 'wrong' }), 401, 'UNAUTHORIZED'],
        [api(a.url, 'POST', '/v1/keys', { json: { type: 'mak', group: 'no-such-group' }, token: a.token }), 400, 'UNKNOWN_GROUP'],
        [api(a.url, 'POST', '/v1/keys', { json: { type: 'kms-host', group: 'server-b', limit: 3 }, token: a.token }), 400, 'INVALID_REQUEST'],
        [api(a.url, 'GET', '/v2/health'), 404, 'NOT_FOUND'],
        [api(a.url, 'GET', '/v1/keys/%E0%A4%A', { token: a.token }), 400, 'INVALID_REQUEST'],
        [api(a.url, 'GET', '/v1/activate/mak'), 405, 'INVALID_REQUEST'],
        [api(a.url, 'POST', '/v1/clock/advance', { json: { by: '7d' }, token: a.token }), 409, 'SIM_CLOCK_ONLY'],
        [api(a.url, 'POST', '/v1/offline/confirm-batch', { json: { installationIds: [] } }), 400, 'INVALID_REQUEST'],
      ];
      for (const [p, status, code] of checks) {
        const r = await p;
        assert.equal(r.status, status, `${code}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, code);
        assert.equal(typeof r.body.error.number, 'number');
        assert.ok(r.body.error.message && r.body.error.hint);
      }
      const info = await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token });
      assert.equal(info.body.used, 0);
      const after = (await api(a.url, 'GET', '/v1/audit?limit=10000', { token: a.token })).body.entries.length;
      assert.equal(after, before, 'rejected requests leave no rows, not even audit rows');
      const list = await api(a.url, 'GET', '/v1/keys', { token: a.token });
      assert.equal(list.body.keys.filter((k: { group: string }) => k.group === 'no-such-group').length, 0);
    });

    it('the CLI names a wrong token and exits with the needs-admin code', async () => {
      const tokenFile = path.join(group.tempDir(), 'token');
      fs.writeFileSync(tokenFile, 'not-the-token\n', { mode: 0o600 });
      const r = await group.runVact(['authority', 'key', 'list', '--url', a.url, '--token-file', tokenFile]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /UNAUTHORIZED/);
      const down = await group.runVact(['authority', 'key', 'list', '--url', 'http://127.0.0.1:1', '--dir', a.dir]);
      assert.equal(down.code, 4);
      assert.match(down.stderr, /UNREACHABLE/);
    });
  });

  describe('admin CLI and audit trail', () => {
    it('issues, lists, shows and revokes keys through the API, and audits every step', async () => {
      const r = await group.runVact(['authority', 'key', 'issue', '--type', 'mak', '--group', 'server-b', '--limit', '7', '--note', 'lab 3', '--url', a.url, '--dir', a.dir, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const k = parseJsonOutput<{ key: string; limit: number; remaining: number; note: string; type: string }>(r);
      assert.equal(k.type, 'mak');
      assert.equal(k.limit, 7);
      assert.equal(k.remaining, 7);
      assert.equal(k.note, 'lab 3');
      const human = await group.runVact(['authority', 'key', 'info', k.key, '--url', a.url, '--dir', a.dir]);
      assert.match(human.stdout, /Activations: 0 of 7 used, 7 remaining/);
      const list = await group.runVact(['authority', 'key', 'list', '--url', a.url, '--dir', a.dir, '--json']);
      assert.ok(parseJsonOutput<{ keys: { key: string }[] }>(list).keys.some((x) => x.key === k.key));
      await api(a.url, 'POST', '/v1/activate/mak', { json: makRequest(k.key, 'server-standard') });
      await api(a.url, 'POST', '/v1/activate/mak', { json: makRequest(k.key, 'client-enterprise') });
      await group.runVact(['authority', 'key', 'revoke', k.key, '--yes', '--url', a.url, '--dir', a.dir]);
      const audit = await group.runVact(['authority', 'audit', '--limit', '4', '--url', a.url, '--dir', a.dir, '--json']);
      const entries = parseJsonOutput<{ entries: { action: string; result: string; partialKey: string; who: string }[] }>(audit).entries;
      assert.deepEqual(entries.map((e) => [e.action, e.result]), [
        ['revoke-key', 'revoked'], ['activate-mak', 'PRODUCT_NOT_COVERED_BY_KEY'], ['activate-mak', 'activated'], ['issue-key', 'issued'],
      ]);
      assert.ok(entries.every((e) => e.partialKey === k.key.slice(-5) && e.who.includes('127.0.0.1')));
    });
  });

  describe('logs', () => {
    it('writes one JSON line per request with method, path, status, ms and remote, never a token or a whole key', async () => {
      const key = await issueKey(a, 'mak', 'client-vl', 1);
      await api(a.url, 'GET', `/v1/keys/${key}`, { token: a.token });
      await a.proc.waitFor((p) => p.jsonLines().find((l) => l.msg === 'request' && String(l.path).endsWith(key.slice(-5))), 'the request log line');
      const lines = a.proc.jsonLines().filter((l) => l.msg === 'request');
      assert.ok(lines.length > 10);
      for (const l of lines) {
        assert.equal(typeof l.method, 'string');
        assert.equal(typeof l.status, 'number');
        assert.equal(typeof l.ms, 'number');
        assert.equal(typeof l.remote, 'string');
      }
      assert.ok(!a.proc.stdout.includes(a.token), 'the admin token is never logged');
      assert.ok(!a.proc.stdout.includes(key), 'whole keys are never logged');
      assert.ok(!a.proc.stdout.includes('wrong'), 'wrong tokens are not logged either');
    });
  });
});

describe('authority serve options (real processes)', function () {
  this.timeout(60_000);
  const group = new ProcessGroup();
  after(() => group.dispose());

  it('limits activation calls per client with 429 RATE_LIMITED and Retry-After', async () => {
    const a = await startAuthority(group, { rateLimit: '1/3', name: 'authority-ratelimit' });
    const key = await issueKey(a, 'mak', 'client-vl', 100);
    const statuses: number[] = [];
    let limited: any;
    for (let i = 0; i < 6; i++) {
      const r = await api(a.url, 'POST', '/v1/activate/mak', { json: makRequest(key) });
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(statuses.slice(3).includes(429), `statuses ${statuses.join(",")}`);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // Admin calls are not activation calls.
    assert.equal((await api(a.url, 'GET', '/v1/keys', { token: a.token })).status, 200);
    await a.proc.stop();
  });

  it('limits failed admin-token attempts even with activation rate limiting off', async () => {
    const a = await startAuthority(group, { name: 'authority-admin-limit' });
    const statuses: number[] = [];
    // The failure bucket holds 10 and refills at 1/s; 30 wrong tokens outrun it however slow the machine.
    for (let i = 0; i < 30; i++) statuses.push((await api(a.url, 'GET', '/v1/keys', { token: `wrong-${i}` })).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
    // The right token is never locked out.
    assert.equal((await api(a.url, 'GET', '/v1/keys', { token: a.token })).status, 200);
    await a.proc.stop();
  });

  it('moves a --clock sim authority with `vact authority clock advance`', async () => {
    const a = await startAuthority(group, { clock: 'sim', name: 'authority-sim' });
    const before = (await api(a.url, 'GET', '/v1/clock')).body;
    assert.equal(before.kind, 'sim');
    const r = await group.runVact(['authority', 'clock', 'advance', '30d', '--url', a.url, '--dir', a.dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    // The CLI's JSON convention: times are ISO 8601 strings.
    const now = Date.parse(parseJsonOutput<{ now: string }>(r).now);
    assert.ok(now - before.now >= 30 * 86_400_000 && now - before.now < 31 * 86_400_000);
    const key = await issueKey(a, 'mak', 'client-vl', 1);
    const req = makRequest(key);
    const t = ticketFromText((await api(a.url, 'POST', '/v1/activate/mak', { json: req })).body.ticket);
    assert.ok(t.body.issuedAt >= now, 'tickets carry the simulated time');
    const bad = await api(a.url, 'POST', '/v1/clock/advance', { json: { by: 'soon' }, token: a.token });
    assert.equal(bad.body.error.code, 'INVALID_DURATION');
    await a.proc.stop();
  });

  it('serves HTTPS with --tls-cert/--tls-key and refuses plain HTTP on a non-loopback address', async () => {
    const dir = group.tempDir();
    const cert = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    const ssl = group.spawn('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', cert], { name: 'openssl' });
    assert.equal((await ssl.waitForExit()).code, 0, ssl.stderr);
    const a = await startAuthority(group, { extraArgs: ['--tls-cert', cert, '--tls-key', keyFile], name: 'authority-tls' });
    assert.match(a.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const withCa = await group.runVact(['authority', 'key', 'issue', '--type', 'mak', '--group', 'client-vl', '--url', a.url, '--ca', cert, '--dir', a.dir, '--json']);
    assert.equal(withCa.code, 0, withCa.stderr);
    const noCa = await group.runVact(['authority', 'key', 'list', '--url', a.url, '--dir', a.dir]);
    assert.equal(noCa.code, 4, 'an untrusted certificate is refused');
    await a.proc.stop();

    const refused = await group.runVact(['authority', 'serve', '--dir', a.dir, '--listen', '0.0.0.0:0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--insecure-http/);
    const insecure = await startAuthority(group, { dir: a.dir, extraArgs: ['--listen', '0.0.0.0:0', '--insecure-http'], name: 'authority-insecure' });
    assert.match(insecure.url, /^http:\/\/0\.0\.0\.0:\d+$/);
    await insecure.proc.stop();
  });

  it('on SIGTERM finishes in-flight activations, exits 0, and every acknowledged activation is stored', async () => {
    const a = await startAuthority(group, { name: 'authority-shutdown' });
    const key = await issueKey(a, 'mak', 'client-vl', 1000);
    const requests = Array.from({ length: 60 }, () => api(a.url, 'POST', '/v1/activate/mak', { json: makRequest(key) }).catch(() => null));
    // Let the first requests reach the server, then stop it while the rest are in flight.
    await a.proc.waitFor((p) => p.jsonLines().find((l) => l.msg === 'request' && l.path === '/v1/activate/mak'), 'first activation');
    a.proc.kill('SIGTERM');
    const results = await Promise.all(requests);
    const acknowledged = results.filter((r) => r?.status === 200).length;
    const exit = await a.proc.waitForExit();
    assert.equal(exit.code, 0);
    assert.ok(a.proc.jsonLines().some((l) => l.msg === 'stopped'));
    const again = await startAuthority(group, { dir: a.dir, name: 'authority-restarted' });
    const info = await api(again.url, 'GET', `/v1/keys/${key}`, { token: again.token });
    assert.ok(acknowledged >= 1);
    assert.equal(info.body.used, acknowledged, 'every acknowledged activation survived, nothing else was counted');
    await again.proc.stop();
  });

  it('keeps MAK limits across two serve processes sharing one SQLite file', async () => {
    const first = await startAuthority(group, { name: 'sqlite-replica-1' });
    const second = await startAuthority(group, { dir: first.dir, name: 'sqlite-replica-2' });
    const key = await issueKey(first, 'mak', 'client-vl', 7);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      api(i % 2 ? second.url : first.url, 'POST', '/v1/activate/mak', { json: makRequest(key) })));
    assert.equal(results.filter((r) => r.status === 200).length, 7);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'MAK_LIMIT_REACHED'));
    assert.equal((await api(second.url, 'GET', `/v1/keys/${key}`, { token: second.token })).body.used, 7);
  });
});
