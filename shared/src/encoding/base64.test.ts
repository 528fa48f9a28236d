import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { fromBase64, toBase64 } from './base64';

describe('base64', () => {
  it('encodes every length and byte value as RFC 4648 padded base64 (as node does)', () => {
    for (let n = 0; n < 70; n++) {
      for (let k = 0; k < 20; k++) {
        const bytes = new Uint8Array(randomBytes(n));
        assert.equal(toBase64(bytes), Buffer.from(bytes).toString('base64'), `length ${n}`);
        assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
      }
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.equal(toBase64(all), Buffer.from(all).toString('base64'));
  });

  it('refuses a non-canonical spelling rather than repairing it', () => {
    assert.equal(fromBase64('QQ'), null); // padding missing
    assert.equal(fromBase64('QR=='), null); // non-zero padding bits
    assert.equal(fromBase64(42), null);
  });
});
