import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256, toHex } from './sha256';

describe('sha256 (pure)', () => {
  it('matches the FIPS 180-4 examples', () => {
    assert.equal(toHex(sha256(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(toHex(sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('agrees with node:crypto on every length around the block boundaries', () => {
    for (let n = 0; n < 200; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      assert.equal(toHex(sha256(data)), createHash('sha256').update(data).digest('hex'), `length ${n}`);
    }
  });

  it('agrees with node:crypto on random data', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1000 }), (data) => toHex(sha256(data)) === createHash('sha256').update(data).digest('hex')));
  });
});
