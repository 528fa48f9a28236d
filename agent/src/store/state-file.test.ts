import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VactError } from '@vact/shared';
import { StateFile, migrateState, STATE_VERSION, type AgentState } from './state-file';

export function sampleState(over: Partial<AgentState> = {}): AgentState {
  return {
    version: STATE_VERSION,
    createdAt: 1_800_000_000_000,
    revision: 1,
    cmid: 'a'.repeat(32),
    edition: 'enterprise',
    hardware: { hardwareHash: 'b'.repeat(32), components: { cpu: '0123456789abcdef' }, recordedAt: 1_800_000_000_000 },
    lifecycle: {
      edition: 'enterprise', key: null, status: 'Unlicensed', graceEndsAt: null, channel: null, validUntil: null, lastActivatedAt: null,
      remainingRearms: 3, intervals: { activationMinutes: 120, renewalMinutes: 10080, source: 'default' }, nextAttemptAt: null,
      failures: 0, lastError: null, lastReminderAt: null, trustedNow: 1_800_000_000_000,
    },
    ticket: null,
    keySeal: null,
    clock: { simNow: null },
    ...over,
  };
}

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof VactError && e.code === code && (!message || message.test(e.message)));
}

describe('state file (atomic, versioned)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-state-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('returns null when there is no state yet, and round-trips a saved state', () => {
    const f = new StateFile(dir);
    assert.equal(f.load(), null);
    f.save(sampleState());
    assert.deepEqual(f.load(), sampleState());
    assert.equal(fs.statSync(f.file).mode & 0o777, 0o600);
  });

  it('replaces the file atomically and leaves no temp file behind', () => {
    const f = new StateFile(dir);
    for (let i = 1; i <= 20; i++) f.save(sampleState({ revision: i }));
    assert.equal(f.load()?.revision, 20);
    assert.deepEqual(fs.readdirSync(dir), ['state.json']);
  });

  it('refuses a corrupt file with STATE_CORRUPT and keeps it byte for byte', () => {
    const f = new StateFile(dir);
    for (const text of ['{"version": 2, "cmid": ', '', '[]', JSON.stringify({ ...sampleState(), cmid: 'zz' }), JSON.stringify({ ...sampleState(), version: 'two' })]) {
      fs.writeFileSync(f.file, text);
      expectCode(() => f.load(), 'STATE_CORRUPT');
      assert.equal(fs.readFileSync(f.file, 'utf8'), text);
    }
  });

  it('names the bad field of a structurally broken state', () => {
    const f = new StateFile(dir);
    const broken = sampleState();
    (broken.lifecycle as unknown as Record<string, unknown>)['status'] = 'Happy';
    fs.writeFileSync(f.file, JSON.stringify(broken));
    assert.throws(() => f.load(), /lifecycle\.status/);
  });

  it('refuses an unknown (newer) version with STATE_VERSION_UNSUPPORTED and keeps the file', () => {
    const f = new StateFile(dir);
    const text = JSON.stringify({ ...sampleState(), version: 99 });
    fs.writeFileSync(f.file, text);
    expectCode(() => f.load(), 'STATE_VERSION_UNSUPPORTED');
    assert.equal(fs.readFileSync(f.file, 'utf8'), text);
  });

  it('migrates a version 1 state (no clock section) to the current version', () => {
    const f = new StateFile(dir);
    const v1: Partial<AgentState> = sampleState();
    delete v1.clock;
    fs.writeFileSync(f.file, JSON.stringify({ ...v1, version: 1 }));
    const loaded = f.load();
    assert.equal(loaded?.version, STATE_VERSION);
    assert.deepEqual(loaded?.clock, { simNow: null });
  });

  it('migrates a version 2 state (every key in clear, no seal) to version 3 with keySeal null', () => {
    const f = new StateFile(dir);
    const v2: Partial<AgentState> = sampleState();
    delete v2.keySeal;
    fs.writeFileSync(f.file, JSON.stringify({ ...v2, version: 2 }));
    const loaded = f.load();
    assert.equal(loaded?.version, 3);
    assert.equal(loaded?.keySeal, null);
  });

  it('refuses a MAK kept neither in clear nor sealed, and a seal without a MAK, naming the field', () => {
    const f = new StateFile(dir);
    const lifecycle = sampleState().lifecycle;
    const dropped = { ...lifecycle, key: { key: null, type: 'mak' as const, group: 'client-vl', partialKey: 'AAAAA' } };
    fs.writeFileSync(f.file, JSON.stringify(sampleState({ lifecycle: dropped })));
    expectCode(() => f.load(), 'STATE_CORRUPT', /"lifecycle\.key\.key".*no keySeal/);
    const seal = { authorityKey: `${'A'.repeat(43)}=`, ephemeralPublicKey: 'a'.repeat(64), ciphertext: 'b'.repeat(16), bindKey: 'c'.repeat(64) };
    fs.writeFileSync(f.file, JSON.stringify(sampleState({ keySeal: seal })));
    expectCode(() => f.load(), 'STATE_CORRUPT', /"keySeal".*not a MAK/);
    fs.writeFileSync(f.file, JSON.stringify(sampleState({ lifecycle: dropped, keySeal: { ...seal, bindKey: 'x' } })));
    expectCode(() => f.load(), 'STATE_CORRUPT', /"keySeal\.bindKey"/);
    fs.writeFileSync(f.file, JSON.stringify(sampleState({ lifecycle: dropped, keySeal: seal })));
    assert.equal(f.load()?.keySeal?.ciphertext, 'b'.repeat(16));
  });

  it('runs a chain of migrations in order and refuses a gap', () => {
    const migrations = { 1: (d: Record<string, unknown>) => ({ ...d, version: 2, a: 1 }), 2: (d: Record<string, unknown>) => ({ ...d, version: 3, b: (d['a'] as number) + 1 }) };
    assert.deepEqual(migrateState({ version: 1 }, 'f', migrations, 3), { version: 3, a: 1, b: 2 });
    expectCode(() => migrateState({ version: 0 }, 'f', migrations, 3), 'STATE_VERSION_UNSUPPORTED');
  });
});
