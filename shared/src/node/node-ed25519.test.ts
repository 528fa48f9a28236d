import assert from 'node:assert/strict';
import { ed25519KeyPairFromSeed, ed25519PublicKeyOf, isEd25519Key, nodeEd25519 } from './node-ed25519';

const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const b64 = (h: string): string => Buffer.from(h, 'hex').toString('base64');

describe('nodeEd25519', () => {
  // RFC 8032 §7.1, TEST 1 and TEST 2.
  const test1 = {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    pub: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  };
  const test2 = {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    pub: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    msg: '72',
    sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  };

  it('reproduces the RFC 8032 test vectors', () => {
    const kp = ed25519KeyPairFromSeed(fromHex(test1.seed));
    assert.equal(kp.publicKey, b64(test1.pub));
    assert.equal(Buffer.from(nodeEd25519.sign(kp.privateKey, new Uint8Array(0))).toString('hex'), test1.sig);
    assert.ok(nodeEd25519.verify(kp.publicKey, new Uint8Array(0), fromHex(test1.sig)));
    const kp2 = ed25519KeyPairFromSeed(fromHex(test2.seed));
    assert.equal(ed25519PublicKeyOf(kp2.privateKey), b64(test2.pub));
    assert.equal(Buffer.from(nodeEd25519.sign(kp2.privateKey, fromHex(test2.msg))).toString('hex'), test2.sig);
  });

  it('generates raw 32-byte key pairs that sign and verify', () => {
    const kp = nodeEd25519.generateKeyPair();
    assert.ok(isEd25519Key(kp.publicKey) && isEd25519Key(kp.privateKey));
    assert.equal(ed25519PublicKeyOf(kp.privateKey), kp.publicKey);
    const msg = new TextEncoder().encode('hello');
    const sig = nodeEd25519.sign(kp.privateKey, msg);
    assert.equal(sig.length, 64);
    assert.ok(nodeEd25519.verify(kp.publicKey, msg, sig));
    assert.ok(nodeEd25519.verify(kp.publicKey, msg, sig), 'cached key object verifies again');
    assert.ok(!nodeEd25519.verify(kp.publicKey, new TextEncoder().encode('hellO'), sig));
    assert.ok(!nodeEd25519.verify(nodeEd25519.generateKeyPair().publicKey, msg, sig));
  });

  it('answers false, never throws, for malformed public keys and signatures', () => {
    const kp = nodeEd25519.generateKeyPair();
    const msg = new Uint8Array([1, 2, 3]);
    const sig = nodeEd25519.sign(kp.privateKey, msg);
    assert.equal(nodeEd25519.verify('not a key', msg, sig), false);
    assert.equal(nodeEd25519.verify(Buffer.alloc(31).toString('base64'), msg, sig), false);
    assert.equal(nodeEd25519.verify(kp.publicKey, msg, sig.subarray(0, 63)), false);
    assert.equal(nodeEd25519.verify(kp.publicKey, msg, new Uint8Array(64)), false);
    assert.equal(isEd25519Key(kp.publicKey.slice(0, -1) + 'A'), false, 'non-canonical base64 is refused');
  });

  it('refuses to sign with a malformed private key', () => {
    assert.throws(() => nodeEd25519.sign('short', new Uint8Array(1)), { code: 'INVALID_CONFIG' });
    assert.throws(() => ed25519KeyPairFromSeed(new Uint8Array(16)), { code: 'INVALID_CONFIG' });
  });

  it('keeps working past its key cache limit', () => {
    const msg = new Uint8Array([9]);
    let last = nodeEd25519.generateKeyPair();
    for (let i = 0; i < 300; i++) {
      last = ed25519KeyPairFromSeed(Uint8Array.from({ length: 32 }, (_, j) => (i + j) & 0xff));
      assert.ok(nodeEd25519.verify(last.publicKey, msg, nodeEd25519.sign(last.privateKey, msg)));
    }
  });
});
