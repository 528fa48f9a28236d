import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import fc from 'fast-check';
import { encodeProductKey, type KeyType } from '../keys/product-key';
import { toBase64 } from '../encoding/base64';
import { dammCheckDigit } from './damm';
import {
  decodeInstallationId, encodeInstallationId, IID_GROUPS, installationIdNonce, isCmid, isHardwareHash, openInstallationId, type InstallationIdInput,
} from './installation-id';
import { sealProductKey } from './sealed-key';

const editions = ['client-pro', 'client-enterprise', 'server-standard', 'server-enterprise'];
const groups = ['client-vl', 'server-a', 'server-b', 'server-c'];
const authoritySeed = Uint8Array.from({ length: 32 }, (_, i) => i);
const authorityKey = toBase64(ed25519.getPublicKey(authoritySeed));
const otherSeed = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);
const key = encodeProductKey({ type: 'mak', group: 'server-a', serial: 1234567890123 }, groups);
const seal = sealProductKey(key, authorityKey, Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i));
const input: InstallationIdInput = {
  seal, hardwareHash: '0123456789abcdef0123456789abcdef', edition: 'server-standard', cmid: 'fedcba9876543210fedcba9876543210',
};
const machine = { version: 2, edition: input.edition, cmid: input.cmid, hardwareHash: input.hardwareHash };

const hex32 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
const keyArb = fc.record({
  type: fc.constantFrom<KeyType>('mak', 'kms-host', 'kms-client'), group: fc.constantFrom(...groups), serial: fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }),
}).map((f) => encodeProductKey(f, groups));

/** What an eavesdropper can read out of an IID: every field, as text. */
function everythingIn(iid: string): string {
  return JSON.stringify(decodeInstallationId(iid, editions));
}

describe('installation ID', () => {
  it('is 44 groups of 6 digits, the same every time for the same machine and seal', () => {
    const iid = encodeInstallationId(input, editions);
    assert.match(iid, /^(\d{6}-){43}\d{6}$/);
    assert.equal(IID_GROUPS, 44);
    assert.equal(encodeInstallationId(input, editions), iid);
  });

  it('decodes to the machine and the sealed key only, and the authority opens the key', () => {
    const iid = encodeInstallationId(input, editions);
    const d = decodeInstallationId(iid, editions);
    assert.deepEqual(Object.keys(d).sort(), ['cmid', 'edition', 'ephemeralPublicKey', 'hardwareHash', 'sealedKey', 'tag', 'version']);
    assert.deepEqual({ version: d.version, edition: d.edition, cmid: d.cmid, hardwareHash: d.hardwareHash }, machine);
    assert.equal(d.ephemeralPublicKey, seal.ephemeralPublicKey);
    assert.equal(d.sealedKey, seal.ciphertext);
    assert.equal(openInstallationId(d, editions, authoritySeed), key);
    fc.assert(fc.property(keyArb, hex32, hex32, fc.constantFrom(...editions), (k, cmid, hardwareHash, edition) => {
      const s = sealProductKey(k, authorityKey, new Uint8Array(randomBytes(32)));
      const got = decodeInstallationId(encodeInstallationId({ seal: s, cmid, hardwareHash, edition }, editions), editions);
      assert.deepEqual([got.cmid, got.hardwareHash, got.edition], [cmid, hardwareHash, edition]);
      assert.equal(openInstallationId(got, editions, authoritySeed), k);
    }), { numRuns: 100 });
  });

  it('gives away no key: nothing decoded names the key, its body or its serial, and the old decode-to-key attack finds nothing', () => {
    const iid = encodeInstallationId(input, editions);
    const text = everythingIn(iid);
    const bare = key.replace(/-/g, '');
    assert.ok(!text.includes(bare) && !text.includes(key), 'no key in the decoded IID');
    assert.ok(!text.includes('1234567890123') && !text.includes((1234567890123).toString(16)), 'no serial in the decoded IID');
    assert.equal((decodeInstallationId(iid, editions) as unknown as { key?: unknown }).key, undefined);
    // Version 1 decoded straight to the key; such an IID is refused now, naming why.
    const v1 = '000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000-000000'
      .split('-').map((g, i) => g.slice(0, 5) + String(dammCheckDigit(g.slice(0, 5), i + 1))).join('-');
    assert.throws(() => decodeInstallationId(v1, editions), { code: 'INVALID_INSTALLATION_ID', message: /version 1 installation ID, which carried the product key in clear/ });
  });

  it('cannot be turned into one for another machine, edition or key without the seal\'s bind key', () => {
    const d = decodeInstallationId(encodeInstallationId(input, editions), editions);
    for (const change of [{ cmid: '0'.repeat(32) }, { hardwareHash: '1'.repeat(32) }, { edition: 'client-pro' }, { sealedKey: 'ff' + d.sealedKey.slice(2) }]) {
      assert.throws(() => openInstallationId({ ...d, ...change }, editions, authoritySeed), { code: 'INVALID_INSTALLATION_ID', message: /tag does not verify/ });
    }
    assert.throws(() => openInstallationId(d, editions, otherSeed), { code: 'INVALID_INSTALLATION_ID', message: /not made for this authority/ });
  });

  it('tolerates spaces, dashes, line breaks and no separators at all', () => {
    const iid = encodeInstallationId(input, editions);
    const expected = decodeInstallationId(iid, editions);
    const parts = iid.split('-');
    for (const text of [parts.join(' '), parts.join(''), `  ${parts.slice(0, 9).join(' ')}\r\n${parts.slice(9).join('-')}\n`, parts.join(' - ')]) {
      assert.deepEqual(decodeInstallationId(text, editions), expected);
    }
  });

  it('names the group with any single wrong digit', () => {
    const digits = encodeInstallationId(input, editions).replace(/-/g, '');
    for (let i = 0; i < digits.length; i++) {
      const wrong = String((Number(digits[i]) + 1 + (i % 9)) % 10);
      const bad = digits.slice(0, i) + wrong + digits.slice(i + 1);
      const g = Math.floor(i / 6) + 1;
      const shown = bad.slice((g - 1) * 6, g * 6);
      assert.throws(() => decodeInstallationId(bad.match(/.{6}/g)!.join('-'), editions), {
        code: 'INVALID_INSTALLATION_ID', message: `The installation ID is not valid: group ${g} (${shown}): check digit mismatch`,
      });
    }
  });

  it('names the group with two adjacent digits swapped', () => {
    const parts = encodeInstallationId(input, editions).split('-');
    for (let g = 0; g < parts.length; g++) {
      const p = parts[g];
      for (let i = 0; i < 5; i++) {
        if (p[i] === p[i + 1]) continue;
        const swapped = p.slice(0, i) + (p[i + 1]) + (p[i]) + p.slice(i + 2);
        const bad = [...parts.slice(0, g), swapped, ...parts.slice(g + 1)].join('-');
        assert.throws(() => decodeInstallationId(bad, editions), { message: new RegExp(`group ${g + 1} \\(${swapped}\\)`) });
      }
    }
  });

  it('says a group is missing, repeated or swapped', () => {
    const parts = encodeInstallationId(input, editions).split('-');
    assert.throws(() => decodeInstallationId(parts.slice(0, 43).join('-'), editions), { code: 'INVALID_INSTALLATION_ID', message: /43 groups, expected 44 \(a group is missing\)/ });
    assert.throws(() => decodeInstallationId([...parts, parts[43]].join('-'), editions), { message: /45 groups, expected 44 \(a group is repeated; group 45 is the first that does not check\)/ });
    assert.throws(() => decodeInstallationId(parts.join('').slice(0, -3), editions), { message: /group 44 \(\d{3}\): has 3 digits, expected 6/ });
    assert.throws(() => decodeInstallationId(parts.join('').slice(0, 40) + parts.join('').slice(41), editions), { message: /group [78] \(\d{6}\): check digit mismatch/ });
    // Groups 1 and 11 share their check-digit seed position mod 10, so only the whole-ID checksum can catch this swap.
    const swapped = [...parts];
    [swapped[0], swapped[10]] = [parts[10], parts[0]];
    assert.throws(() => decodeInstallationId(swapped.join('-'), editions), { code: 'INVALID_INSTALLATION_ID' });
  });

  it('catches an altered ID whose every group is well formed', () => {
    const parts = encodeInstallationId(input, editions).split('-');
    const data = '00000';
    parts[12] = data + String(dammCheckDigit(data, 13));
    assert.throws(() => decodeInstallationId(parts.join('-'), editions), { code: 'INVALID_INSTALLATION_ID', message: /checksum mismatch/ });
  });

  it('rejects letters, absurd lengths and editions the catalogue does not have', () => {
    const iid = encodeInstallationId(input, editions);
    assert.throws(() => decodeInstallationId(iid.replace(/^\d/, 'O'), editions), { message: /character 'O' at position 1 is not a digit/ });
    assert.throws(() => decodeInstallationId('1'.repeat(5000), editions), { code: 'INVALID_INSTALLATION_ID' });
    assert.throws(() => decodeInstallationId('', editions), { message: /0 groups/ });
    assert.throws(() => decodeInstallationId(iid, editions.slice(0, 2)), { message: /edition number 2 is not in this catalogue \(2 editions\)/ });
    assert.throws(() => decodeInstallationId(5 as unknown as string, editions), { code: 'INVALID_INSTALLATION_ID' });
  });

  it('refuses fields it cannot carry', () => {
    assert.throws(() => encodeInstallationId({ ...input, edition: 'nope' }, editions), { code: 'UNKNOWN_EDITION' });
    assert.throws(() => encodeInstallationId({ ...input, cmid: 'ABC' }, editions), { code: 'INVALID_REQUEST', message: /CMID/ });
    assert.throws(() => encodeInstallationId({ ...input, hardwareHash: input.hardwareHash.toUpperCase() }, editions), { code: 'INVALID_REQUEST', message: /hardware hash/ });
    const many = Array.from({ length: 5000 }, (_, i) => `e${i}`);
    assert.throws(() => encodeInstallationId({ ...input, edition: 'e4096' }, many), { code: 'INVALID_CATALOGUE' });
  });

  it('validates hardware hashes and CMIDs as 32 lower-case hex chars', () => {
    assert.ok(isHardwareHash('0123456789abcdef0123456789abcdef'));
    assert.ok(!isHardwareHash('0123456789ABCDEF0123456789ABCDEF'));
    assert.ok(!isHardwareHash('0123456789abcdef'));
    assert.ok(!isHardwareHash(42));
    assert.ok(isCmid(input.cmid) && !isCmid(`${input.cmid}0`));
  });

  it('derives a nonce from the whole IID: stable for it, different for any other, and free of the key', () => {
    const d = decodeInstallationId(encodeInstallationId(input, editions), editions);
    const nonce = installationIdNonce(d, editions);
    assert.match(nonce, /^[0-9a-f]{32}$/);
    assert.equal(installationIdNonce(decodeInstallationId(encodeInstallationId(input, editions), editions), editions), nonce);
    for (const change of [{ cmid: '0'.repeat(32) }, { hardwareHash: '1'.repeat(32) }, { edition: 'client-pro' }]) {
      assert.notEqual(installationIdNonce(decodeInstallationId(encodeInstallationId({ ...input, ...change }, editions), editions), editions), nonce);
    }
    // The same key sealed again (a reinstall) gives another IID and another nonce: a nonce cannot be tested against candidate keys.
    const resealed = sealProductKey(key, authorityKey, new Uint8Array(randomBytes(32)));
    assert.notEqual(installationIdNonce(decodeInstallationId(encodeInstallationId({ ...input, seal: resealed }, editions), editions), editions), nonce);
  });
});
