import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KEY_ALPHABET } from '../keys/product-key';
import { dammCheckDigit } from './damm';
import { decodeInstallationId, encodeInstallationId, IID_GROUPS, installationIdNonce, isCmid, isHardwareHash, type InstallationIdFields } from './installation-id';

const editions = ['client-pro', 'client-enterprise', 'server-standard', 'server-enterprise'];
const groups = ['client-vl', 'server-a', 'server-b', 'server-c'];
const fields: InstallationIdFields = {
  key: 'CDEFG-HJKMN-PRTVW-XY346-789AC', hardwareHash: '0123456789abcdef0123456789abcdef', edition: 'server-standard', cmid: 'fedcba9876543210fedcba9876543210',
};

const hex32 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
const keyArb = fc.array(fc.constantFrom(...KEY_ALPHABET), { minLength: 25, maxLength: 25 }).map((cs) => cs.join('').match(/.{5}/g)!.join('-'));
const fieldsArb = fc.record({ key: keyArb, hardwareHash: hex32, edition: fc.constantFrom(...editions), cmid: hex32 });


describe('installation ID', () => {
  it('round-trips key, hardware hash, edition and CMID as 25 groups of 6 digits', () => {
    const iid = encodeInstallationId(fields, groups, editions);
    assert.match(iid, /^(\d{6}-){24}\d{6}$/);
    assert.equal(IID_GROUPS, 25);
    assert.deepEqual(decodeInstallationId(iid, groups, editions), fields);
    fc.assert(fc.property(fieldsArb, (f) => {
      assert.deepEqual(decodeInstallationId(encodeInstallationId(f, groups, editions), groups, editions), { ...f });
    }), { numRuns: 300 });
  });

  it('takes the key in any case and spacing and gives it back canonical', () => {
    const iid = encodeInstallationId({ ...fields, key: ' cdefghjkmnprtvwxy346789ac ' }, groups, editions);
    assert.equal(iid, encodeInstallationId(fields, groups, editions));
  });

  it('tolerates spaces, dashes, line breaks and no separators at all', () => {
    const iid = encodeInstallationId(fields, groups, editions);
    const parts = iid.split('-');
    for (const text of [parts.join(' '), parts.join(''), `  ${parts.slice(0, 9).join(' ')}\r\n${parts.slice(9).join('-')}\n`, parts.join(' - ')]) {
      assert.deepEqual(decodeInstallationId(text, groups, editions), fields);
    }
  });

  it('names the group with any single wrong digit', () => {
    const iid = encodeInstallationId(fields, groups, editions);
    const digits = iid.replace(/-/g, '');
    for (let i = 0; i < digits.length; i++) {
      const wrong = String((Number(digits[i]) + 1 + (i % 9)) % 10);
      const bad = digits.slice(0, i) + wrong + digits.slice(i + 1);
      const g = Math.floor(i / 6) + 1;
      const shown = bad.slice((g - 1) * 6, g * 6);
      assert.throws(() => decodeInstallationId(bad.match(/.{6}/g)!.join('-'), groups, editions), {
        code: 'INVALID_INSTALLATION_ID', message: `The installation ID is not valid: group ${g} (${shown}): check digit mismatch`,
      });
    }
  });

  it('names the group with two adjacent digits swapped', () => {
    const iid = encodeInstallationId(fields, groups, editions);
    const parts = iid.split('-');
    for (let g = 0; g < parts.length; g++) {
      const p = parts[g];
      for (let i = 0; i < 5; i++) {
        if (p[i] === p[i + 1]) continue;
        const swapped = p.slice(0, i) + (p[i + 1]) + (p[i]) + p.slice(i + 2);
        const bad = [...parts.slice(0, g), swapped, ...parts.slice(g + 1)].join('-');
        assert.throws(() => decodeInstallationId(bad, groups, editions), { message: new RegExp(`group ${g + 1} \\(${swapped}\\)`) });
      }
    }
  });

  it('says a group is missing, repeated or swapped', () => {
    const parts = encodeInstallationId(fields, groups, editions).split('-');
    assert.throws(() => decodeInstallationId(parts.slice(0, 24).join('-'), groups, editions), { code: 'INVALID_INSTALLATION_ID', message: /24 groups, expected 25 \(a group is missing\)/ });
    assert.throws(() => decodeInstallationId([...parts, parts[24]].join('-'), groups, editions), { message: /26 groups, expected 25 \(a group is repeated; group 26 is the first that does not check\)/ });
    assert.throws(() => decodeInstallationId(parts.join('').slice(0, -3), groups, editions), { message: /group 25 \(\d{3}\): has 3 digits, expected 6/ });
    assert.throws(() => decodeInstallationId(parts.join('').slice(0, 40) + parts.join('').slice(41), groups, editions), { message: /group [78] \(\d{6}\): check digit mismatch/ });
    // Groups 1 and 11 share their check-digit seed position mod 10, so only the whole-ID checksum can catch this swap.
    const swapped = [...parts];
    [swapped[0], swapped[10]] = [parts[10], parts[0]];
    const first = String(parts[0]).slice(0, 5);
    const eleventh = String(parts[10]).slice(0, 5);
    if (dammCheckDigit(first, 1) === dammCheckDigit(first, 11) && dammCheckDigit(eleventh, 1) === dammCheckDigit(eleventh, 11)) {
      assert.throws(() => decodeInstallationId(swapped.join('-'), groups, editions), { message: /checksum mismatch/ });
    } else {
      assert.throws(() => decodeInstallationId(swapped.join('-'), groups, editions), { code: 'INVALID_INSTALLATION_ID' });
    }
  });

  it('catches an altered ID whose every group is well formed', () => {
    const parts = encodeInstallationId(fields, groups, editions).split('-');
    const data = '00000';
    parts[12] = data + String(dammCheckDigit(data, 13));
    assert.throws(() => decodeInstallationId(parts.join('-'), groups, editions), { code: 'INVALID_INSTALLATION_ID', message: /checksum mismatch/ });
  });

  it('rejects letters, absurd lengths and editions the catalogue does not have', () => {
    const iid = encodeInstallationId(fields, groups, editions);
    assert.throws(() => decodeInstallationId(iid.replace(/^\d/, 'O'), groups, editions), { message: /character 'O' at position 1 is not a digit/ });
    assert.throws(() => decodeInstallationId('1'.repeat(5000), groups, editions), { code: 'INVALID_INSTALLATION_ID' });
    assert.throws(() => decodeInstallationId('', groups, editions), { message: /0 groups/ });
    assert.throws(() => decodeInstallationId(iid, groups, editions.slice(0, 2)), { message: /edition number 2 is not in this catalogue \(2 editions\)/ });
    assert.throws(() => decodeInstallationId(5 as unknown as string, groups, editions), { code: 'INVALID_INSTALLATION_ID' });
  });

  it('refuses fields it cannot carry', () => {
    assert.throws(() => encodeInstallationId({ ...fields, edition: 'nope' }, groups, editions), { code: 'UNKNOWN_EDITION' });
    assert.throws(() => encodeInstallationId({ ...fields, key: 'ABCDE' }, groups, editions), { code: 'INVALID_KEY', message: /5 characters/ });
    assert.throws(() => encodeInstallationId({ ...fields, key: 'BCDFG-HJKMP-QRTVW-XY234-6789B' }, groups, editions), { code: 'INVALID_KEY', message: /'B'/ });
    assert.throws(() => encodeInstallationId({ ...fields, cmid: 'ABC' }, groups, editions), { code: 'INVALID_REQUEST', message: /CMID/ });
    assert.throws(() => encodeInstallationId({ ...fields, hardwareHash: fields.hardwareHash.toUpperCase() }, groups, editions), { code: 'INVALID_REQUEST', message: /hardware hash/ });
    const many = Array.from({ length: 5000 }, (_, i) => `e${i}`);
    assert.throws(() => encodeInstallationId({ ...fields, edition: 'e4096' }, groups, many), { code: 'INVALID_CATALOGUE' });
  });

  it('validates hardware hashes and CMIDs as 32 lower-case hex chars', () => {
    assert.ok(isHardwareHash('0123456789abcdef0123456789abcdef'));
    assert.ok(!isHardwareHash('0123456789ABCDEF0123456789ABCDEF'));
    assert.ok(!isHardwareHash('0123456789abcdef'));
    assert.ok(!isHardwareHash(42));
    assert.ok(isCmid(fields.cmid) && !isCmid(`${fields.cmid}0`));
  });

  it('derives a nonce that is stable for the same fields and differs for any other', () => {
    const nonce = installationIdNonce(fields);
    assert.match(nonce, /^[0-9a-f]{32}$/);
    assert.equal(installationIdNonce({ ...fields, key: fields.key.toLowerCase() }), nonce);
    const decoded = decodeInstallationId(encodeInstallationId(fields, groups, editions), groups, editions);
    assert.equal(installationIdNonce(decoded), nonce);
    for (const change of [{ cmid: '0'.repeat(32) }, { hardwareHash: '1'.repeat(32) }, { edition: 'client-pro' }, { key: 'CDEFG-HJKMN-PRTVW-XY346-789AD' }]) {
      assert.notEqual(installationIdNonce({ ...fields, ...change }), nonce);
    }
  });
});
