import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ed25519KeyPairFromSeed, nodeEd25519 } from '@vact/shared/node';
import { hostEd25519, sodiumEd25519 } from './host-ed25519';

// sodium-native is an optional dependency of the agent; the workspace installs it, so its absence here is a failure.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sodium = require('sodium-native') as Parameters<typeof sodiumEd25519>[0];

// RFC 8032 §7.1, test 1 and test 3.
const RFC8032 = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('the KMS host signer (libsodium, else node:crypto)', () => {
  it('picks libsodium where sodium-native is installed, and says so', () => {
    const chosen = hostEd25519();
    assert.equal(chosen.implementation, 'libsodium', chosen.reason);
    assert.equal(chosen.reason, undefined);
  });

  it('makes the RFC 8032 signatures', () => {
    const s = sodiumEd25519(sodium);
    for (const v of RFC8032) {
      const key = ed25519KeyPairFromSeed(Buffer.from(v.seed, 'hex'));
      assert.equal(Buffer.from(s.sign(key.privateKey, Buffer.from(v.message, 'hex'))).toString('hex'), v.signature);
    }
  });

  it('gives the same bytes as node:crypto for any key and message, and they verify', () => {
    const s = sodiumEd25519(sodium);
    for (let i = 0; i < 50; i++) {
      const key = nodeEd25519.generateKeyPair();
      const message = randomBytes(i * 7);
      const sig = s.sign(key.privateKey, message);
      assert.deepEqual(Buffer.from(sig), Buffer.from(nodeEd25519.sign(key.privateKey, message)));
      assert.ok(nodeEd25519.verify(key.publicKey, message, sig));
    }
  });

  it('signs with the new key after a key change (one key kept at a time)', () => {
    const s = sodiumEd25519(sodium);
    const a = nodeEd25519.generateKeyPair();
    const b = nodeEd25519.generateKeyPair();
    const m = Buffer.from('ticket');
    s.sign(a.privateKey, m);
    assert.ok(nodeEd25519.verify(b.publicKey, m, s.sign(b.privateKey, m)));
    assert.ok(nodeEd25519.verify(a.publicKey, m, s.sign(a.privateKey, m)), 'the first key is expanded again when it comes back');
  });

  it('refuses a malformed private key as node:crypto does, never signing with it', () => {
    const s = sodiumEd25519(sodium);
    for (const bad of ['', 'not base64!', Buffer.alloc(31).toString('base64'), Buffer.alloc(64).toString('base64')]) {
      assert.throws(() => s.sign(bad, Buffer.from('x')), /INVALID_CONFIG|32-byte seed/);
    }
  });
});
