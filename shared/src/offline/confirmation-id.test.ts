import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { nodeEd25519 } from '../node/node-ed25519';
import { VactError } from '../errors/error-codes';
import { signHostCertificate } from '../tickets/certificate';
import { encodeTicket, signTicketByAuthority, signTicketByHost, verifyTicket, type TicketBody } from '../tickets/ticket';
import { decodeConfirmationId, encodeConfirmationId } from './confirmation-id';
import { fromCrockford, toCrockford } from './crockford-base32';

const root = nodeEd25519.generateKeyPair();
const body: TicketBody = {
  version: 1, cmid: 'fedcba9876543210fedcba9876543210', hardwareHash: '0123456789abcdef0123456789abcdef', edition: 'server-standard',
  channel: 'offline', partialKey: '789AC', issuedAt: Date.UTC(2026, 10, 27), validUntil: null, nonce: 'ab'.repeat(16), issuer: 'authority',
};
const ticket = signTicketByAuthority(nodeEd25519, root.privateKey, body);

describe('confirmation ID', () => {
  it('is dash-joined groups of 5 base32 symbols, 8 groups a line', () => {
    const cid = encodeConfirmationId(ticket);
    for (const line of cid.split('\n')) assert.match(line, /^[0-9A-HJKMNP-TV-Z]{1,5}(-[0-9A-HJKMNP-TV-Z]{1,5}){0,7}$/);
    assert.equal(encodeConfirmationId(ticket, { groupsPerLine: 0 }).includes('\n'), false);
    assert.equal(encodeConfirmationId(ticket, { groupsPerLine: 3 }).split('\n')[0]?.split('-').length, 3);
  });

  it('survives copy/paste: case changes, spaces, tabs, line breaks, lost or extra dashes', () => {
    const cid = encodeConfirmationId(ticket);
    const variants = [
      cid, cid.toLowerCase(), cid.replace(/\n/g, ' '), cid.replace(/-/g, ''), cid.replace(/\n/g, '\r\n'), `\t${cid.replace(/-/g, ' - ')}\n\n`,
      cid.replace(/[\s-]/g, '').match(/.{1,7}/g)!.join('\n'), cid.replace(/0/g, 'o').replace(/1/g, 'l'),
    ];
    for (const v of variants) {
      const back = decodeConfirmationId(v);
      assert.deepEqual(back, ticket);
      verifyTicket(nodeEd25519, root.publicKey, back, { cmid: body.cmid, hardwareHash: body.hardwareHash, edition: body.edition, nonce: body.nonce, now: body.issuedAt });
    }
  });

  it('carries host-signed tickets with their certificate too', () => {
    const host = nodeEd25519.generateKeyPair();
    const cert = signHostCertificate(nodeEd25519, root.privateKey, {
      version: 1, serial: 's', hostPublicKey: host.publicKey, hostKeyGroup: 'server-b', hostHardwareHash: 'h', hostEdition: 'e', issuedAt: 0, validUntil: 10,
    });
    const t = signTicketByHost(nodeEd25519, host.privateKey, cert, { ...body, channel: 'KMS', validUntil: body.issuedAt + 1, issuer: 'kms-host' });
    assert.deepEqual(decodeConfirmationId(encodeConfirmationId(t)), t);
  });

  it('rejects truncated text with a reason', () => {
    const symbols = encodeConfirmationId(ticket).replace(/[\s-]/g, '');
    for (let n = 0; n < symbols.length; n++) {
      assert.throws(() => decodeConfirmationId(symbols.slice(0, n)), (e: unknown) => {
        assert.ok(e instanceof VactError);
        assert.equal(e.code, 'INVALID_CONFIRMATION_ID');
        assert.equal(typeof e.details?.reason, 'string');
        return true;
      }, `cut to ${n} symbols`);
    }
  });

  it('rejects every altered symbol', () => {
    const symbols = encodeConfirmationId(ticket).replace(/[\s-]/g, '');
    for (let i = 0; i < symbols.length; i++) {
      const other = symbols[i] === 'Z' ? 'Y' : 'Z';
      const bad = symbols.slice(0, i) + other + symbols.slice(i + 1);
      assert.throws(() => decodeConfirmationId(bad), { code: 'INVALID_CONFIRMATION_ID' }, `symbol ${i}`);
    }
  });

  it('names characters that are not in the alphabet and refuses absurd input', () => {
    assert.throws(() => decodeConfirmationId('ABCDU'), { code: 'INVALID_CONFIRMATION_ID', message: /character 'U' at position 5/ });
    assert.throws(() => decodeConfirmationId('  \n - '), { message: /empty/ });
    assert.throws(() => decodeConfirmationId('0000000'), { message: /too short/ });
    assert.throws(() => decodeConfirmationId('0'.repeat(20000)), { message: /longer than any confirmation ID/ });
    assert.throws(() => decodeConfirmationId(' '.repeat(3500) + '0'.repeat(3400)), { message: /3400 symbols is longer/ });
    assert.throws(() => decodeConfirmationId(null as unknown as string), { code: 'INVALID_CONFIRMATION_ID' });
  });

  it('rejects well-formed text that does not hold a ticket', () => {
    const junk = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const sum = createHash('sha256').update(Buffer.concat([Buffer.from('vact/cid-checksum/v1'), Buffer.from([0]), junk])).digest().subarray(0, 4);
    assert.throws(() => decodeConfirmationId(toCrockford(Uint8Array.from([...junk, ...sum]))), { code: 'INVALID_CONFIRMATION_ID', message: /does not hold a ticket/ });
    assert.ok(encodeTicket(ticket).length > 0);
  });

  it('base32 round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const r = fromCrockford(toCrockford(b));
      return r.ok && Buffer.from(r.bytes).equals(Buffer.from(b));
    }));
  });
});
