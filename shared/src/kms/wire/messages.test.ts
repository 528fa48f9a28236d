import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VactError } from '../../errors/error-codes';
import { fromHex } from './bytes';
import { KMS_MAX_FRAME_BYTES, KMS_MAX_REQUEST_BYTES, readFrameHeader } from './frame';
import { decodeKmsFrame, encodeKmsError, encodeKmsRequest, type KmsRequest } from './messages';
import { kmsTestVectors } from './test-support/kms-vectors';

const CLEAN = new Set(['INVALID_ENCODING', 'VERSION_MISMATCH', 'PAYLOAD_TOO_LARGE']);

/** Decoding either succeeds or throws a VactError with a decoding code — nothing else. */
function decodesCleanly(bytes: Uint8Array): boolean {
  try {
    decodeKmsFrame(bytes);
    return true;
  } catch (err) {
    if (err instanceof VactError && CLEAN.has(err.code)) return true;
    throw err;
  }
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof VactError, String(err));
    return err.code;
  }
  return 'none';
}

const hex32 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
const request: fc.Arbitrary<KmsRequest> = fc.record({
  cmid: hex32, nonce: hex32, clientTime: fc.integer({ min: 0, max: 2 ** 50 }), edition: fc.string({ maxLength: 40 }), vm: fc.boolean(),
  licenseStatus: fc.constantFrom('Unlicensed', 'Licensed', 'InitialGrace', 'OutOfToleranceGrace', 'Notification'),
  remainingGraceMinutes: fc.integer({ min: 0, max: 0xffffffff }), machineName: fc.string({ maxLength: 40 }), hardwareHash: fc.string({ maxLength: 64 }),
});

describe('KMS wire codec', () => {
  const v = kmsTestVectors();
  const frames = [v.request.hex, v.activatedResponse.hex, v.belowThresholdResponse.hex, ...Object.values(v.errors)].map((h) => fromHex(h, 'vector'));

  it('round-trips any valid request', () => {
    fc.assert(fc.property(request, (q) => {
      const m = decodeKmsFrame(encodeKmsRequest(q));
      assert.deepEqual(m, { type: 'request', request: { ...q } });
    }));
  });

  it('carries the batch-tickets flag in bit 1 of the request flags, and refuses the other unknown bits', () => {
    const q = decodeKmsFrame(fromHex(v.request.hex, 'vector'));
    assert.ok(q.type === 'request' && q.request.batchTickets === undefined);
    const withBatch = encodeKmsRequest({ ...q.request, batchTickets: true });
    const flagsAt = 6 + 16 + 16 + 8 + 2 + q.request.edition.length;
    assert.equal(withBatch[flagsAt], 0x03, 'vm and batch tickets');
    assert.deepEqual(decodeKmsFrame(withBatch), { type: 'request', request: { ...q.request, batchTickets: true } });
    const unknown = withBatch.slice();
    unknown[flagsAt] = 0x07;
    assert.throws(() => decodeKmsFrame(unknown), { code: 'INVALID_ENCODING', message: /flags at byte 61 has unknown bits 0x7/ });
  });

  it('refuses a wrong version, wrong magic, unknown type, oversized and truncated frames with their codes', () => {
    const req = frames[0];
    const with2 = (i: number, b: number): Uint8Array => { const c = req.slice(); c[i] = b; return c; };
    assert.equal(code(() => decodeKmsFrame(with2(2, 2))), 'VERSION_MISMATCH');
    assert.equal(code(() => decodeKmsFrame(with2(0, 0x47))), 'INVALID_ENCODING');
    assert.equal(code(() => decodeKmsFrame(with2(3, 9))), 'INVALID_ENCODING');
    assert.equal(code(() => decodeKmsFrame(req.subarray(0, req.length - 1))), 'INVALID_ENCODING');
    assert.equal(code(() => decodeKmsFrame(new Uint8Array(KMS_MAX_FRAME_BYTES + 1))), 'PAYLOAD_TOO_LARGE');
    const big = with2(4, 0x10);
    assert.equal(code(() => readFrameHeader(big, KMS_MAX_REQUEST_BYTES)), 'PAYLOAD_TOO_LARGE');
    assert.equal(code(() => decodeKmsFrame(frames[1], ['request'])), 'INVALID_ENCODING');
  });

  it('a header is judged from its first bytes, before the rest arrives', () => {
    assert.equal(readFrameHeader(Uint8Array.of(0x56, 0x4b, 1)), null);
    assert.equal(code(() => readFrameHeader(Uint8Array.of(0x16))), 'INVALID_ENCODING'); // a TLS hello
    assert.equal(code(() => readFrameHeader(Uint8Array.of(0x56, 0x4b, 7))), 'VERSION_MISMATCH');
  });

  it('fuzz: garbage never throws anything but a clean VactError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => decodesCleanly(b)), { numRuns: 2000 });
  });

  it('fuzz: garbage behind a valid header never throws anything but a clean VactError', () => {
    fc.assert(fc.property(fc.constantFrom(1, 2, 3), fc.uint8Array({ maxLength: 600 }), (type, body) => {
      const f = new Uint8Array(6 + body.length);
      f.set([0x56, 0x4b, 1, type, body.length >> 8, body.length & 0xff]);
      f.set(body, 6);
      return decodesCleanly(f);
    }), { numRuns: 2000 });
  });

  it('fuzz: truncated, extended and bit-flipped real frames decode cleanly or fail cleanly', () => {
    fc.assert(fc.property(fc.constantFrom(...frames), fc.nat(), fc.nat(255), fc.uint8Array({ maxLength: 8 }), (f, at, xor, tail) => {
      const i = at % f.length;
      const flipped = f.slice();
      flipped[i] ^= xor;
      const extended = new Uint8Array(f.length + tail.length);
      extended.set(f);
      extended.set(tail, f.length);
      return decodesCleanly(f.subarray(0, i)) && decodesCleanly(flipped) && decodesCleanly(extended);
    }), { numRuns: 1500 });
  });

  it('cuts a long error detail to the string limit instead of refusing', () => {
    const f = encodeKmsError({ nonce: '0'.repeat(32), number: 3004, hostTime: 1, detail: 'é'.repeat(200) });
    const m = decodeKmsFrame(f);
    assert.ok(m.type === 'error' && Buffer.byteLength(m.error.detail) <= 128 && m.error.code === 'KMS_HOST_NOT_ACTIVATED');
  });
});
