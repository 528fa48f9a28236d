import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VactError } from '../errors/error-codes';
import {
  decodeProductKey,
  encodeProductKey,
  encodeRawProductKey,
  isWellFormedProductKey,
  KEY_ALPHABET,
  KeyType,
  MAX_KEY_SERIAL,
  partialKey,
} from './product-key';

const GROUPS = ['client-vl', 'server-a', 'server-b', 'server-c'] as const;
const TYPES: KeyType[] = ['kms-client', 'kms-host', 'mak'];
const KEY_SHAPE = /^[ACDEFGHJKMNPRTVWXY346789]{5}(-[ACDEFGHJKMNPRTVWXY346789]{5}){4}$/;

const fieldsArb = fc.record({
  type: fc.constantFrom(...TYPES),
  group: fc.constantFrom(...GROUPS),
  serial: fc.integer({ min: 0, max: MAX_KEY_SERIAL }),
});

/** Asserts that decoding throws INVALID_KEY with a message matching `message`. */
function assertInvalid(input: string, message: RegExp, groups: readonly string[] = GROUPS): void {
  assert.throws(
    () => decodeProductKey(input, groups),
    (err: unknown) => err instanceof VactError && err.code === 'INVALID_KEY' && message.test(err.message),
    `expected INVALID_KEY ${message} for ${input}`,
  );
}

/** Every key that differs from `key` by one substituted character or one swap of two different adjacent characters. */
function singleErrors(key: string): string[] {
  const chars = key.replace(/-/g, '').split('');
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    for (const c of KEY_ALPHABET) {
      if (c === chars[i]) continue;
      const v = [...chars];
      v[i] = c;
      out.push(v.join(''));
    }
    if (i + 1 < chars.length && chars[i] !== chars[i + 1]) {
      const v = [...chars];
      [v[i], v[i + 1]] = [v[i + 1], v[i]];
      out.push(v.join(''));
    }
  }
  return out;
}

describe('product keys', () => {
  it('uses a 24-symbol alphabet without easily confused characters', () => {
    assert.equal(KEY_ALPHABET.length, 24);
    assert.equal(new Set(KEY_ALPHABET).size, 24);
    for (const confusable of '0O1IL2Z5SBUQ') assert.ok(!KEY_ALPHABET.includes(confusable), confusable);
  });

  it('round-trips type, group and serial, in the 5x5 format (property)', () => {
    fc.assert(
      fc.property(fieldsArb, (f) => {
        const key = encodeProductKey(f, GROUPS);
        assert.match(key, KEY_SHAPE);
        const d = decodeProductKey(key, GROUPS);
        assert.deepEqual(d, { key, type: f.type, group: f.group, serial: f.serial, partial: key.slice(-5) });
      }),
      { numRuns: 500 },
    );
  });

  it('encodes the edge serials and accepts a bigint serial', () => {
    for (const serial of [0, 1, 2 ** 40, MAX_KEY_SERIAL]) {
      assert.equal(decodeProductKey(encodeProductKey({ type: 'mak', group: 'server-c', serial }, GROUPS), GROUPS).serial, serial);
    }
    const big = encodeProductKey({ type: 'kms-host', group: 'server-b', serial: 123456789012345n }, GROUPS);
    assert.equal(big, encodeProductKey({ type: 'kms-host', group: 'server-b', serial: 123456789012345 }, GROUPS));
    assert.equal(decodeProductKey(big, GROUPS).serial, 123456789012345);
  });

  it('gives different keys for neighbouring serials, types and groups', () => {
    const keys = new Set<string>();
    for (const type of TYPES) for (const group of GROUPS) for (let serial = 0; serial < 50; serial++) keys.add(encodeProductKey({ type, group, serial }, GROUPS));
    assert.equal(keys.size, TYPES.length * GROUPS.length * 50);
  });

  it('accepts a catalogue in place of a group list', () => {
    const catalogue = { groups: GROUPS.map((id) => ({ id })) };
    const key = encodeProductKey({ type: 'kms-host', group: 'server-a', serial: 7 }, catalogue);
    assert.equal(key, encodeProductKey({ type: 'kms-host', group: 'server-a', serial: 7 }, GROUPS));
    assert.equal(decodeProductKey(key, catalogue).group, 'server-a');
  });

  it('rejects every single-character substitution and adjacent swap, exhaustively on 300 random keys', () => {
    // 300 keys x (25 x 23 substitutions + up to 24 swaps) ≈ 180,000 mistyped keys, all rejected.
    const keys = fc.sample(fieldsArb, { numRuns: 300, seed: 20261127 }).map((f) => encodeProductKey(f, GROUPS));
    let checked = 0;
    for (const key of keys) {
      for (const typo of singleErrors(key)) {
        assert.throws(
          () => decodeProductKey(typo, GROUPS),
          (err: unknown) => err instanceof VactError && err.code === 'INVALID_KEY' && /checksum mismatch/.test(err.message),
          `${typo} (from ${key}) was accepted`,
        );
        checked++;
      }
    }
    assert.ok(checked > 300 * 575, `checked ${checked}`);
  });

  it('rejects a single substitution or adjacent swap of any random key (property)', () => {
    fc.assert(
      fc.property(
        fieldsArb,
        fc.nat({ max: 24 }),
        fc.nat({ max: 22 }),
        fc.boolean(),
        (f, pos, delta, swap) => {
          const chars = encodeProductKey(f, GROUPS).replace(/-/g, '').split('');
          if (swap) {
            const i = Math.min(pos, 23);
            fc.pre(chars[i] !== chars[i + 1]);
            [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
          } else {
            chars[pos] = KEY_ALPHABET[(KEY_ALPHABET.indexOf(chars[pos]) + 1 + delta) % 24]!;
          }
          assertInvalid(chars.join(''), /checksum mismatch/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects random strings of key characters (checksum mismatch)', () => {
    const alphabetChar = fc.constantFrom(...KEY_ALPHABET);
    fc.assert(
      fc.property(fc.array(alphabetChar, { minLength: 25, maxLength: 25 }), (chars) => {
        assert.equal(isWellFormedProductKey(chars.join(''), GROUPS), false);
      }),
      { numRuns: 2000 },
    );
  });

  it('is case-insensitive and tolerates missing dashes and extra spaces', () => {
    const key = encodeProductKey({ type: 'mak', group: 'server-b', serial: 424242 }, GROUPS);
    const plain = key.replace(/-/g, '');
    const variants = [
      key.toLowerCase(),
      plain,
      plain.toLowerCase(),
      key.replace(/-/g, ' '),
      `  ${key.slice(0, 7)} ${key.slice(7)}\n`,
      key.split('').join(' '),
      key.replace(/-/g, '--'),
      `${plain.slice(0, 10)}-${plain.slice(10)}`,
    ];
    for (const v of variants) assert.equal(decodeProductKey(v, GROUPS).key, key, JSON.stringify(v));
  });

  it('names the character that is not in the alphabet, counting key characters only', () => {
    const key = encodeProductKey({ type: 'kms-host', group: 'client-vl', serial: 9 }, GROUPS);
    const withO = `${key.slice(0, 7)}O${key.slice(8)}`; // 7th key character (dash not counted)
    assertInvalid(withO, /character 7 'O' is not in the key alphabet/);
    assertInvalid(`${key.slice(0, 7)}o${key.slice(8)}`, /character 7 'O' is not in the key alphabet/);
    assertInvalid('0' + key.slice(1), /character 1 '0' is not in the key alphabet/);
    assertInvalid(key.slice(0, -1) + '_', /character 25 '_' is not in the key alphabet/);
    try {
      decodeProductKey(withO, GROUPS);
      assert.fail('accepted');
    } catch (err) {
      assert.ok(err instanceof VactError);
      assert.deepEqual(err.details, { position: 7, character: 'O' });
      assert.equal(err.toJSON().number, 1002);
    }
  });

  it('says how many characters a too short or too long key has', () => {
    const key = encodeProductKey({ type: 'mak', group: 'server-a', serial: 1 }, GROUPS);
    assertInvalid(key.slice(0, -1), /has 24 characters; it must have 25/);
    assertInvalid(key + 'A', /has 26 characters; it must have 25/);
    assertInvalid('', /has 0 characters/);
    assertInvalid('A'.repeat(500), /500 characters long/);
    assertInvalid(42 as unknown as string, /must be a string/);
  });

  it('refuses a key of a group the catalogue does not have', () => {
    const key = encodeProductKey({ type: 'mak', group: 'server-c', serial: 1 }, GROUPS);
    assertInvalid(key, /group #4, but this catalogue has only 2 groups/, ['client-vl', 'server-a']);
  });

  it('refuses a key of an unknown format version or type code', () => {
    assertInvalid(encodeRawProductKey({ version: 2, typeCode: 0, groupIndex: 0, serial: 1n }), /unsupported key format version 2/);
    assertInvalid(encodeRawProductKey({ version: 1, typeCode: 3, groupIndex: 0, serial: 1n }), /unknown key type code 3/);
    assert.equal(decodeProductKey(encodeRawProductKey({ version: 1, typeCode: 2, groupIndex: 1, serial: 77n }), GROUPS).type, 'mak');
  });

  it('refuses to encode bad fields with a precise error', () => {
    const cases: [Parameters<typeof encodeProductKey>[0], string, RegExp][] = [
      [{ type: 'retail' as KeyType, group: 'server-a', serial: 1 }, 'INVALID_KEY', /unknown key type "retail"/],
      [{ type: 'mak', group: 'server-x', serial: 1 }, 'UNKNOWN_GROUP', /"server-x" is not one of client-vl, server-a/],
      [{ type: 'mak', group: 'server-a', serial: -1 }, 'INVALID_KEY', /serial -1 is not an integer/],
      [{ type: 'mak', group: 'server-a', serial: 1.5 }, 'INVALID_KEY', /serial 1.5 is not an integer/],
      [{ type: 'mak', group: 'server-a', serial: 2n ** 53n }, 'INVALID_KEY', /serial 9007199254740992 is not an integer/],
      [{ type: 'mak', group: 'server-a', serial: -1n }, 'INVALID_KEY', /serial -1 is not/],
    ];
    for (const [fields, code, message] of cases) {
      assert.throws(
        () => encodeProductKey(fields, GROUPS),
        (err: unknown) => err instanceof VactError && err.code === code && message.test(err.message),
      );
    }
    const many = Array.from({ length: 40 }, (_, i) => `g${i}`);
    assert.throws(() => encodeProductKey({ type: 'mak', group: 'g33', serial: 1 }, many), /at most 32 groups/);
  });

  it('decodes the test vectors of docs/product-keys.md', () => {
    const vectors: [string, KeyType, string, number][] = [
      ['W3WJT-DNF8Y-KT7MX-3NMHR-9R8VJ', 'kms-client', 'client-vl', 101],
      ['WY7JH-6RNA3-ADJ8C-47DDD-XYHEE', 'kms-host', 'client-vl', 1],
      ['KTTW3-FEHT8-933DK-FNEAT-N3VXA', 'kms-host', 'server-c', 1],
      ['NTKRF-CXG38-TRAFH-XMDCK-WC39E', 'mak', 'server-b', 1],
      ['GWXD8-AP4K3-9M7DJ-WYTD6-EWWVE', 'mak', 'server-b', 2],
      ['A84RF-68HKC-GPHYH-8C4CG-D8NDF', 'mak', 'client-vl', MAX_KEY_SERIAL],
    ];
    for (const [key, type, group, serial] of vectors) {
      assert.equal(encodeProductKey({ type, group, serial }, GROUPS), key);
      assert.deepEqual(decodeProductKey(key, GROUPS), { key, type, group, serial, partial: key.slice(-5) });
    }
  });

  it('shows the last five characters as the partial key', () => {
    const key = encodeProductKey({ type: 'mak', group: 'server-a', serial: 31337 }, GROUPS);
    assert.equal(partialKey(key), key.slice(-5));
    assert.equal(partialKey(key.toLowerCase().replace(/-/g, '')), key.slice(-5));
    assert.equal(decodeProductKey(key, GROUPS).partial, key.slice(-5));
    assert.throws(() => partialKey('ABC'), /character 2 'B' is not in the key alphabet/);
  });
});
