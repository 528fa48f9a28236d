import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import fc from 'fast-check';
import { toBase64 } from '../encoding/base64';
import { encodeProductKey, productKeyBody, productKeyFromBody } from '../keys/product-key';
import { bindKeyOf, makProof, openSealedKey, sealParts, sealProductKey } from './sealed-key';

const groups = ['client-vl', 'server-a', 'server-b', 'server-c'];
const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
const authorityKey = toBase64(ed25519.getPublicKey(seed));
const key = encodeProductKey({ type: 'mak', group: 'client-vl', serial: 42 }, groups);

describe('sealed key', () => {
  it('key body and key determine each other', () => {
    fc.assert(fc.property(fc.constantFrom(...groups), fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }), (group, serial) => {
      const k = encodeProductKey({ type: 'mak', group, serial }, groups);
      assert.equal(productKeyFromBody(productKeyBody(k)), k);
    }), { numRuns: 200 });
    assert.throws(() => productKeyBody('AAAAA-AAAAA-AAAAA-AAAAA-AAAAA'), { code: 'INVALID_KEY' });
    assert.throws(() => productKeyFromBody(new Uint8Array(7)), { code: 'INVALID_KEY' });
    assert.throws(() => productKeyFromBody(new Uint8Array(8).fill(0xff)), { code: 'INVALID_KEY', message: /out of range/ });
  });

  it('only the authority opens a seal, and the bind key it derives is the machine\'s', () => {
    const seal = sealProductKey(key, authorityKey, new Uint8Array(randomBytes(32)));
    assert.match(seal.ephemeralPublicKey, /^[0-9a-f]{64}$/);
    assert.match(seal.ciphertext, /^[0-9a-f]{16}$/);
    assert.ok(!JSON.stringify({ ...seal, bindKey: undefined }).includes(Buffer.from(productKeyBody(key)).toString('hex')), 'the body is not in the seal');
    const opened = openSealedKey(sealParts(seal), seed);
    assert.equal(opened.key, key);
    assert.deepEqual(opened.bindKey, bindKeyOf(seal));
    // Another authority opens it to a different bind key (and usually to no key at all).
    let other: ReturnType<typeof openSealedKey> | null = null;
    try {
      other = openSealedKey(sealParts(seal), Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i));
    } catch (err) {
      assert.equal((err as { code?: string }).code, 'INVALID_KEY');
    }
    if (other) assert.notDeepEqual(other.bindKey, bindKeyOf(seal));
  });

  it('each seal of the same key is different (a fresh ephemeral key each time)', () => {
    const a = sealProductKey(key, authorityKey, new Uint8Array(randomBytes(32)));
    const b = sealProductKey(key, authorityKey, new Uint8Array(randomBytes(32)));
    assert.notEqual(a.ephemeralPublicKey, b.ephemeralPublicKey);
    assert.notEqual(a.ciphertext + a.bindKey, b.ciphertext + b.bindKey);
  });

  it('a MAK proof binds the seal to one request', () => {
    const seal = sealProductKey(key, authorityKey, new Uint8Array(randomBytes(32)));
    const f = { cmid: '0'.repeat(32), hardwareHash: '1'.repeat(32), edition: 'client-pro', nonce: 'ab'.repeat(16) };
    const proof = makProof(bindKeyOf(seal), sealParts(seal), f);
    assert.match(proof, /^[0-9a-f]{32}$/);
    assert.equal(makProof(bindKeyOf(seal), sealParts(seal), f), proof);
    for (const change of [{ cmid: '2'.repeat(32) }, { nonce: 'cd'.repeat(16) }, { edition: 'client-enterprise' }]) {
      assert.notEqual(makProof(bindKeyOf(seal), sealParts(seal), { ...f, ...change }), proof);
    }
  });

  it('refuses an authority key that is not an Ed25519 public key', () => {
    assert.throws(() => sealProductKey(key, 'not-base64!', new Uint8Array(32)), { code: 'INVALID_CONFIG' });
    assert.throws(() => sealProductKey(key, toBase64(new Uint8Array(16)), new Uint8Array(32)), { code: 'INVALID_CONFIG' });
  });
});
