import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nodeEd25519 } from '../node/node-ed25519';
import { VactError } from '../errors/error-codes';
import { MAX_STRING_BYTES } from './canonical-bytes';
import {
  decodeHostCertificate, encodeHostCertificate, MAX_CERTIFICATE_BYTES, signHostCertificate, verifyHostCertificate,
  type HostCertificate, type HostCertificateBody,
} from './certificate';
import {
  decodeTicket, encodeTicket, encodeTicketBody, MAX_TICKET_BYTES, signTicketByAuthority, signTicketByHost, ticketFromText, ticketToText, verifyTicket,
  type Ticket, type TicketBody, type TicketExpectation,
} from './ticket';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 27);
const root = nodeEd25519.generateKeyPair();
const host = nodeEd25519.generateKeyPair();

const certBody: HostCertificateBody = {
  version: 1, serial: 'cert-1', hostPublicKey: host.publicKey, hostKeyGroup: 'server-b', hostHardwareHash: 'aa'.repeat(16),
  hostEdition: 'server-enterprise', issuedAt: T0, validUntil: T0 + 365 * DAY,
};
const cert = signHostCertificate(nodeEd25519, root.privateKey, certBody);

const kmsBody: TicketBody = {
  version: 1, cmid: '0123456789abcdef'.repeat(2), hardwareHash: 'fe'.repeat(16), edition: 'client-pro', channel: 'KMS',
  partialKey: 'T4W6Q', issuedAt: T0 + DAY, validUntil: T0 + 181 * DAY, nonce: '5f'.repeat(16), issuer: 'kms-host',
};
const makBody: TicketBody = { ...kmsBody, channel: 'MAK', validUntil: null, issuer: 'authority' };
const kmsTicket = signTicketByHost(nodeEd25519, host.privateKey, cert, kmsBody);
const makTicket = signTicketByAuthority(nodeEd25519, root.privateKey, makBody);
const expect: TicketExpectation = { cmid: kmsBody.cmid, hardwareHash: kmsBody.hardwareHash, edition: 'client-pro', nonce: kmsBody.nonce, now: T0 + 2 * DAY };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof VactError, `expected a VactError, got ${String(e)}`);
    return e.code;
  }
  return 'accepted';
}

describe('host certificates', () => {
  it('round-trip through the canonical bytes and verify against the root', () => {
    const bytes = encodeHostCertificate(cert);
    assert.deepEqual(decodeHostCertificate(bytes), cert);
    assert.deepEqual(encodeHostCertificate(decodeHostCertificate(bytes)), bytes);
    verifyHostCertificate(nodeEd25519, root.publicKey, cert, T0 + 10 * DAY);
  });

  it('rejects every single flipped byte', () => {
    const bytes = encodeHostCertificate(cert);
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i] ^= 0x01;
      const c = code(() => verifyHostCertificate(nodeEd25519, root.publicKey, decodeHostCertificate(bad), T0 + DAY));
      assert.notEqual(c, 'accepted', `byte ${i} flipped was accepted`);
    }
  });

  it('rejects another root, an expired and a not-yet-valid certificate', () => {
    assert.throws(() => verifyHostCertificate(nodeEd25519, nodeEd25519.generateKeyPair().publicKey, cert, T0), { code: 'INVALID_SIGNATURE' });
    assert.throws(() => verifyHostCertificate(nodeEd25519, root.publicKey, cert, T0 + 366 * DAY), { code: 'CERTIFICATE_EXPIRED', message: /expired at 2027-11-27/ });
    verifyHostCertificate(nodeEd25519, root.publicKey, cert, T0 - 3 * 3600_000); // within clock tolerance
    assert.throws(() => verifyHostCertificate(nodeEd25519, root.publicKey, cert, T0 - DAY), { code: 'CERTIFICATE_EXPIRED', message: /not valid before/ });
  });

  it('refuses to encode malformed fields', () => {
    assert.throws(() => signHostCertificate(nodeEd25519, root.privateKey, { ...certBody, hostPublicKey: 'abc' }), { code: 'INVALID_ENCODING', message: /hostPublicKey/ });
    assert.throws(() => signHostCertificate(nodeEd25519, root.privateKey, { ...certBody, validUntil: T0 - 1 }), { code: 'INVALID_ENCODING' });
    assert.throws(() => signHostCertificate(nodeEd25519, root.privateKey, { ...certBody, issuedAt: -1 }), { code: 'INVALID_ENCODING', message: /issuedAt/ });
    assert.throws(() => signHostCertificate(nodeEd25519, root.privateKey, { ...certBody, serial: 'x'.repeat(MAX_STRING_BYTES + 1) }), { code: 'INVALID_ENCODING', message: /serial/ });
    assert.throws(() => signHostCertificate(nodeEd25519, root.privateKey, { ...certBody, version: 2 as 1 }), { code: 'VERSION_MISMATCH' });
    assert.throws(() => encodeHostCertificate({ ...cert, signature: 'AAAA' }), { code: 'INVALID_ENCODING', message: /signature/ });
  });

  it('decodes bad bytes to a VactError naming the problem', () => {
    const bytes = encodeHostCertificate(cert);
    assert.throws(() => decodeHostCertificate(bytes.subarray(0, 40)), { code: 'INVALID_ENCODING', message: /truncated/ });
    assert.throws(() => decodeHostCertificate(Uint8Array.from([...bytes, 0])), { code: 'INVALID_ENCODING', message: /1 trailing bytes/ });
    assert.throws(() => decodeHostCertificate(Uint8Array.from([2, ...bytes.subarray(1)])), { code: 'VERSION_MISMATCH' });
    assert.throws(() => decodeHostCertificate(Uint8Array.from([1, 2, ...bytes.subarray(2)])), { code: 'INVALID_ENCODING', message: /not a host certificate/ });
    assert.throws(() => decodeHostCertificate(Uint8Array.from([1, 1, 0xff, 0xff, ...bytes.subarray(4)])), { code: 'INVALID_ENCODING', message: /limit is 128/ });
    assert.throws(() => decodeHostCertificate(new Uint8Array(MAX_CERTIFICATE_BYTES + 1)), { code: 'INVALID_ENCODING', message: /limit is 1024/ });
    assert.throws(() => decodeHostCertificate('x' as unknown as Uint8Array), { code: 'INVALID_ENCODING' });
  });
});

describe('tickets', () => {
  it('round-trip through canonical bytes and text, with and without a certificate', () => {
    for (const t of [kmsTicket, makTicket]) {
      const bytes = encodeTicket(t);
      assert.deepEqual(decodeTicket(bytes), t);
      assert.deepEqual(ticketFromText(ticketToText(t)), t);
      assert.deepEqual(ticketFromText(` ${ticketToText(t)}\n`), t);
    }
    assert.ok(encodeTicket(kmsTicket).length < 600, 'a KMS ticket with its certificate stays a few hundred bytes');
  });

  it('a host-signed ticket keeps the bytes it was signed over: the same as encoding its fields, frozen, and each caller gets its own copy', () => {
    const fromFields = encodeTicket({ ...kmsTicket, body: { ...kmsTicket.body } }); // a copy carries no cached bytes
    assert.deepEqual(encodeTicket(kmsTicket), fromFields);
    assert.deepEqual(encodeTicket({ ...kmsTicket, body: { ...kmsTicket.body, nonce: 'ab'.repeat(16) } }).length, fromFields.length);
    assert.notDeepEqual(encodeTicket({ ...kmsTicket, body: { ...kmsTicket.body, nonce: 'ab'.repeat(16) } }), fromFields);
    assert.ok(Object.isFrozen(kmsTicket) && Object.isFrozen(kmsTicket.body));
    assert.throws(() => { (kmsTicket.body as { cmid: string }).cmid = 'f'.repeat(32); }, TypeError);
    const mine = encodeTicket(kmsTicket);
    mine.fill(0);
    assert.deepEqual(encodeTicket(kmsTicket), fromFields);
    assert.deepEqual(Object.keys(kmsTicket), ['body', 'signature', 'hostCertificate']);
    assert.equal(JSON.stringify(kmsTicket), JSON.stringify({ body: kmsTicket.body, signature: kmsTicket.signature, hostCertificate: cert }));
  });

  it('verifies a host-signed KMS ticket and an authority-signed MAK ticket', () => {
    verifyTicket(nodeEd25519, root.publicKey, kmsTicket, expect);
    verifyTicket(nodeEd25519, root.publicKey, makTicket, { ...expect, now: T0 + 9999 * DAY });
    const withoutNonce: TicketExpectation = { ...expect };
    delete withoutNonce.nonce;
    const otherNonce = signTicketByAuthority(nodeEd25519, root.privateKey, { ...makBody, nonce: 'ab'.repeat(16) });
    verifyTicket(nodeEd25519, root.publicKey, otherNonce, { ...withoutNonce, now: T0 });
  });

  it('rejects every single flipped byte of a host-signed and of an authority-signed ticket', () => {
    for (const t of [kmsTicket, makTicket]) {
      const bytes = encodeTicket(t);
      for (let i = 0; i < bytes.length; i++) {
        for (const mask of [0x01, 0x80]) {
          const bad = bytes.slice();
          bad[i] ^= mask;
          const c = code(() => verifyTicket(nodeEd25519, root.publicKey, decodeTicket(bad), expect));
          assert.notEqual(c, 'accepted', `byte ${i} ^ ${mask} of ${t.body.issuer} ticket was accepted`);
        }
      }
    }
  });

  it('rejects a ticket under another root key', () => {
    const other = nodeEd25519.generateKeyPair().publicKey;
    assert.throws(() => verifyTicket(nodeEd25519, other, makTicket, expect), { code: 'INVALID_SIGNATURE', message: /root key/ });
    assert.throws(() => verifyTicket(nodeEd25519, other, kmsTicket, expect), { code: 'INVALID_SIGNATURE', message: /host certificate cert-1/ });
  });

  it('rejects a rogue KMS host whose self-made certificate is not signed by the root', () => {
    const rogue = nodeEd25519.generateKeyPair();
    const rogueCert = signHostCertificate(nodeEd25519, rogue.privateKey, { ...certBody, hostPublicKey: rogue.publicKey, serial: 'rogue' });
    const t = signTicketByHost(nodeEd25519, rogue.privateKey, rogueCert, kmsBody);
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, t, expect), { code: 'INVALID_SIGNATURE', message: /rogue/ });
    // A genuine certificate does not lend its trust to a ticket signed by another key.
    const borrowed = signTicketByHost(nodeEd25519, rogue.privateKey, cert, kmsBody);
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, borrowed, expect), { code: 'INVALID_SIGNATURE', message: /not signed by the key of host certificate/ });
    // Nor may a host's ticket claim to come from the authority.
    const posing = signTicketByAuthority(nodeEd25519, host.privateKey, makBody);
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, posing, expect), { code: 'INVALID_SIGNATURE' });
  });

  it('rejects a host-signed ticket without a certificate, with an expired certificate, or outside the KMS channel', () => {
    const bare: Ticket = { body: kmsTicket.body, signature: kmsTicket.signature };
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, bare, expect), { code: 'INVALID_SIGNATURE', message: /no host certificate/ });
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, kmsTicket, { ...expect, now: T0 + 400 * DAY }), { code: 'CERTIFICATE_EXPIRED' });
    // A host that signs a permanent MAK ticket anyway (bypassing signTicketByHost's guard) is refused.
    const mak = { ...kmsBody, channel: 'MAK' as const, validUntil: null };
    const resigned: Ticket = { body: mak, hostCertificate: cert, signature: Buffer.from(nodeEd25519.sign(host.privateKey, signedTicketMessage(mak))).toString('base64') };
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, resigned, expect), { code: 'INVALID_SIGNATURE', message: /only KMS tickets/ });
    assert.throws(() => signTicketByHost(nodeEd25519, host.privateKey, cert, mak), { code: 'INVALID_REQUEST' });
    assert.throws(() => signTicketByHost(nodeEd25519, host.privateKey, cert, makBody), { code: 'INVALID_REQUEST' });
    assert.throws(() => signTicketByAuthority(nodeEd25519, root.privateKey, kmsBody), { code: 'INVALID_REQUEST' });
  });

  it('asks the catalogue whether the host key group covers the edition', () => {
    const seen: string[] = [];
    verifyTicket(nodeEd25519, root.publicKey, kmsTicket, { ...expect, hostKeyCovers: (g, e) => (seen.push(`${g}/${e}`), true) });
    assert.deepEqual(seen, ['server-b/client-pro']);
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, kmsTicket, { ...expect, hostKeyCovers: () => false }), { code: 'PRODUCT_NOT_COVERED_BY_HOST', message: /server-b does not cover edition client-pro/ });
  });

  it('rejects a ticket for another CMID, hardware, edition or nonce, naming the field', () => {
    const cases: [keyof TicketExpectation, string][] = [['cmid', 'ff'.repeat(16)], ['hardwareHash', '00'.repeat(16)], ['edition', 'client-enterprise'], ['nonce', 'ab'.repeat(16)]];
    for (const t of [kmsTicket, makTicket]) {
      for (const [field, value] of cases) {
        assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, t, { ...expect, [field]: value }), (e: unknown) => {
          assert.ok(e instanceof VactError);
          assert.equal(e.code, 'TICKET_MISMATCH');
          assert.equal(e.details?.field, field);
          assert.match(e.message, new RegExp(`${field} .*expected ${value}`));
          return true;
        });
      }
    }
  });

  it('rejects an expired ticket but never a permanent one', () => {
    verifyTicket(nodeEd25519, root.publicKey, kmsTicket, { ...expect, now: kmsBody.validUntil as number });
    const shortCert = signHostCertificate(nodeEd25519, root.privateKey, { ...certBody, validUntil: T0 + 1000 * DAY });
    const t = signTicketByHost(nodeEd25519, host.privateKey, shortCert, kmsBody);
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, t, { ...expect, now: (kmsBody.validUntil as number) + 1 }), { code: 'TICKET_MISMATCH', message: /expired/ });
  });

  it('keeps certificate and ticket signatures apart (domain separation)', () => {
    // A root signature over a certificate body must not pass as a root-signed ticket, and vice versa.
    const asTicket: Ticket = { ...makTicket, signature: cert.signature };
    assert.throws(() => verifyTicket(nodeEd25519, root.publicKey, asTicket, expect), { code: 'INVALID_SIGNATURE' });
    const asCert: HostCertificate = { ...cert, signature: makTicket.signature };
    assert.throws(() => verifyHostCertificate(nodeEd25519, root.publicKey, asCert, T0), { code: 'INVALID_SIGNATURE' });
  });

  it('decodes bad bytes to a VactError, never a RangeError', () => {
    const bytes = encodeTicket(kmsTicket);
    for (let n = 0; n < bytes.length; n++) assert.match(code(() => decodeTicket(bytes.subarray(0, n))), /INVALID_ENCODING|VERSION_MISMATCH/);
    assert.throws(() => decodeTicket(Uint8Array.from([...bytes, 7, 7])), { code: 'INVALID_ENCODING', message: /2 trailing bytes/ });
    assert.throws(() => decodeTicket(new Uint8Array(MAX_TICKET_BYTES + 1)), { code: 'INVALID_ENCODING', message: /limit is 2048/ });
    assert.throws(() => decodeTicket(Uint8Array.from([9, 2])), { code: 'VERSION_MISMATCH', message: /version 9/ });
    assert.throws(() => decodeTicket(encodeHostCertificate(cert)), { code: 'INVALID_ENCODING', message: /not a ticket/ });
    assert.throws(() => ticketFromText('not base64!'), { code: 'INVALID_ENCODING', message: /not base64/ });
    assert.throws(() => ticketFromText('A'.repeat(5000)), { code: 'INVALID_ENCODING', message: /limit/ });
    const body = encodeTicketBody(makBody);
    const withFlag = (flag: number): Uint8Array => Uint8Array.from([...body, ...Buffer.from(makTicket.signature, 'base64'), flag]);
    assert.throws(() => decodeTicket(withFlag(3)), { code: 'INVALID_ENCODING', message: /host certificate flag at byte \d+ must be 0, 1 or 2/ });
    assert.throws(() => decodeTicket(withFlag(2)), { code: 'INVALID_ENCODING', message: /host certificate length/ });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 700 }), (random) => {
      const c = code(() => decodeTicket(Uint8Array.from([1, 2, ...random])));
      return c === 'INVALID_ENCODING' || c === 'accepted';
    }), { numRuns: 2000 });
  });

  it('refuses to encode bodies that are not canonical', () => {
    assert.throws(() => encodeTicketBody({ ...kmsBody, channel: 'phone' as 'KMS' }), { code: 'INVALID_ENCODING', message: /channel/ });
    assert.throws(() => encodeTicketBody({ ...kmsBody, issuedAt: 1.5 }), { code: 'INVALID_ENCODING', message: /issuedAt/ });
    assert.throws(() => encodeTicketBody({ ...kmsBody, validUntil: kmsBody.issuedAt - 1 }), { code: 'INVALID_ENCODING', message: /before issuedAt/ });
    assert.throws(() => encodeTicketBody({ ...kmsBody, cmid: 5 as unknown as string }), { code: 'INVALID_ENCODING', message: /cmid/ });
    assert.throws(() => encodeTicketBody({ ...kmsBody, version: 0 as 1 }), { code: 'VERSION_MISMATCH' });
  });
});

function signedTicketMessage(body: TicketBody): Uint8Array {
  const tag = new TextEncoder().encode('vact/ticket/v1');
  return Uint8Array.from([...tag, 0, ...encodeTicketBody(body)]);
}
