import assert from 'node:assert/strict';
import { encodeProductKey, fromBase64, openSealedKey, referenceCatalogue, sealParts, type InstalledKey } from '@vact/shared';
import { nodeEd25519 } from '@vact/shared/node';
import { sampleState } from '../store/state-file.test';
import type { AgentState } from '../store/state-file';
import { keepKey } from './key-custody';

const groups = referenceCatalogue().groups.map((g) => g.id);
const authority = nodeEd25519.generateKeyPair();
const seed = fromBase64(authority.privateKey)!;
const authorityKey = authority.publicKey;
const otherAuthority = nodeEd25519.generateKeyPair().publicKey;
const mak = encodeProductKey({ type: 'mak', group: 'client-vl', serial: 77 }, groups);
const installed = (key: string, type: InstalledKey['type'] = 'mak'): InstalledKey => ({ key, type, group: 'client-vl', partialKey: key.slice(-5) });

function withKey(key: InstalledKey | null, status: AgentState['lifecycle']['status'] = 'InitialGrace', over: Partial<AgentState> = {}): AgentState {
  const s = sampleState(over);
  return { ...s, lifecycle: { ...s.lifecycle, key, status } };
}

describe('key custody', () => {
  it('seals a MAK to the authority when it is installed, and keeps it in clear until activated', () => {
    const next = withKey(installed(mak));
    keepKey(withKey(null), next, authorityKey);
    assert.equal(next.lifecycle.key?.key, mak);
    assert.equal(next.keySeal?.authorityKey, authorityKey);
    assert.equal(openSealedKey(sealParts(next.keySeal), seed).key, mak);
  });

  it('drops the clear MAK once the machine is Licensed; the seal stays and nothing else changes', () => {
    const before = withKey(installed(mak));
    keepKey(withKey(null), before, authorityKey);
    const next = withKey(installed(mak), 'Licensed', { keySeal: before.keySeal });
    keepKey(before, next, authorityKey);
    assert.deepEqual(next.lifecycle.key, { key: null, type: 'mak', group: 'client-vl', partialKey: mak.slice(-5) });
    assert.deepEqual(next.keySeal, before.keySeal);
    assert.ok(!JSON.stringify(next).includes(mak));
    // Later commits leave a dropped key as it is.
    const later = { ...next, lifecycle: { ...next.lifecycle, status: 'OutOfToleranceGrace' as const } };
    keepKey(next, later, authorityKey);
    assert.deepEqual(later.keySeal, before.keySeal);
    assert.equal(later.lifecycle.key?.key, null);
  });

  it('reseals for another key or another authority key, and keeps no seal for other key types', () => {
    const first = withKey(installed(mak));
    keepKey(withKey(null), first, authorityKey);
    const other = encodeProductKey({ type: 'mak', group: 'client-vl', serial: 78 }, groups);
    const next = withKey(installed(other), 'InitialGrace', { keySeal: first.keySeal });
    keepKey(first, next, authorityKey);
    assert.equal(openSealedKey(sealParts(next.keySeal!), seed).key, other);
    const moved = withKey(installed(other), 'InitialGrace', { keySeal: next.keySeal });
    keepKey(next, moved, otherAuthority);
    assert.equal(moved.keySeal?.authorityKey, otherAuthority);
    const kms = withKey(installed(referenceCatalogue().editions[0].kmsClientSetupKey, 'kms-client'), 'Licensed', { keySeal: moved.keySeal });
    keepKey(moved, kms, authorityKey);
    assert.equal(kms.keySeal, null);
    assert.equal(kms.lifecycle.key?.key, referenceCatalogue().editions[0].kmsClientSetupKey, 'a public setup key stays in clear');
  });
});
