// Activation tickets: the signed proof that a machine (CMID + hardware hash) may run an edition
// (DESIGN §5; docs/protocol.md, "Activation ticket").
import { fromBase64, toBase64 } from '../encoding/base64';
import type { Ed25519 } from '../crypto/signer';
import { VactError } from '../errors/error-codes';
import { ByteReader, ByteWriter, checkSize, signedMessage } from './canonical-bytes';
import { decodeHostCertificate, encodeHostCertificate, verifyHostCertificate, type HostCertificate } from './certificate';
import { sha256 } from '../crypto/sha256';
import { batchLeafHash, batchProofBytes, batchRootMessage, merkleTree, readBatchProof, rootFromInclusionPath, writeBatchProof, type Sha256, type TicketBatchProof } from './ticket-batch';

import type { ActivationChannel } from '../lifecycle/license-schemas';
export type { ActivationChannel };
export interface TicketBody {
  version: 1;
  cmid: string; // 32 hex chars (128-bit)
  hardwareHash: string;
  edition: string;
  /** A KMS host's own activation is a host certificate, never a ticket. */
  channel: Exclude<ActivationChannel, 'KMS-host'>;
  partialKey: string;
  issuedAt: number; // ms since epoch
  validUntil: number | null; // null = permanent (MAK/offline)
  nonce: string; // hex, from the request; offline: derived from the installation ID
  issuer: 'authority' | 'kms-host';
}
/**
 * A signed ticket. With `batch`, `signature` is the host's signature over a batch root (see
 * ticket-batch.ts) that `batch` leads this ticket to; without, it signs the ticket itself.
 */
export interface Ticket { body: TicketBody; signature: string; hostCertificate?: HostCertificate; batch?: TicketBatchProof }
export interface TicketExpectation {
  cmid: string;
  hardwareHash: string;
  edition: string;
  nonce?: string;
  now: number;
  /** Catalogue rule for host-signed tickets: does a host key of `hostGroup` cover `edition`? Unchecked when absent. */
  hostKeyCovers?: (hostGroup: string, edition: string) => boolean;
}

/** Domain-separation tag: a ticket signature can never verify as a certificate's. */
export const TICKET_TAG = 'vact/ticket/v1';
/** Message-type byte that follows the version byte. */
export const TICKET_KIND = 0x02;
/** Hard limit on an encoded ticket, its host certificate included. */
export const MAX_TICKET_BYTES = 2048;

/** The byte after a ticket's signature: what follows it. */
const FORM_PLAIN = 0;
const FORM_CERTIFICATE = 1;
const FORM_BATCH = 2;

const CHANNELS: readonly TicketBody['channel'][] = ['KMS', 'MAK', 'offline'];
const ISSUERS: readonly TicketBody['issuer'][] = ['authority', 'kms-host'];
const WHAT = 'ticket';

/** What a ticket's signed message starts with: its tag and the zero byte. */
const TICKET_MESSAGE_PREFIX = signedMessage(TICKET_TAG, new Uint8Array(0));

/** Canonical bytes of a ticket body (what its signer signs, after the tag). */
export function encodeTicketBody(body: TicketBody): Uint8Array {
  return writeTicketBody(new ByteWriter(WHAT), body).finish();
}

/** The signed message of a ticket body, signedMessage(TICKET_TAG, encodeTicketBody(body)), in one buffer. */
function signedTicketBody(body: TicketBody): { message: Uint8Array; body: Uint8Array } {
  const message = writeTicketBody(new ByteWriter(WHAT).bytes(TICKET_MESSAGE_PREFIX), body).finish();
  return { message, body: message.subarray(TICKET_MESSAGE_PREFIX.length) };
}

function writeTicketBody(w: ByteWriter, body: TicketBody): ByteWriter {
  if (body.version !== 1) throw new VactError('VERSION_MISMATCH', `${WHAT}: version ${String(body.version)} cannot be encoded (this build writes version 1)`);
  if (body.validUntil !== null && body.validUntil < body.issuedAt) throw new VactError('INVALID_ENCODING', `${WHAT}: validUntil is before issuedAt`);
  w
    .u8(1)
    .u8(TICKET_KIND)
    .str('cmid', body.cmid)
    .str('hardwareHash', body.hardwareHash)
    .str('edition', body.edition)
    .choice('channel', body.channel, CHANNELS)
    .str('partialKey', body.partialKey)
    .u64('issuedAt', body.issuedAt);
  if (body.validUntil === null) w.u8(0);
  else w.u8(1).u64('validUntil', body.validUntil);
  return w.str('nonce', body.nonce).choice('issuer', body.issuer, ISSUERS);
}

function readBody(r: ByteReader): TicketBody {
  const version = r.u8('version');
  if (version !== 1) throw new VactError('VERSION_MISMATCH', `${WHAT}: version ${version} (this build reads version 1)`);
  const kind = r.u8('message type');
  if (kind !== TICKET_KIND) r.fail(`message type ${kind} is not a ticket (${TICKET_KIND})`);
  const cmid = r.str('cmid');
  const hardwareHash = r.str('hardwareHash');
  const edition = r.str('edition');
  const channel = r.choice('channel', CHANNELS);
  const partialKey = r.str('partialKey');
  const issuedAt = r.u64('issuedAt');
  const at = r.offset;
  const hasExpiry = r.u8('validUntil flag');
  if (hasExpiry > 1) r.fail(`validUntil flag at byte ${at} must be 0 or 1, got ${hasExpiry}`);
  const validUntil = hasExpiry ? r.u64('validUntil') : null;
  if (validUntil !== null && validUntil < issuedAt) r.fail('validUntil is before issuedAt');
  const nonce = r.str('nonce');
  const issuer = r.choice('issuer', ISSUERS);
  return { version: 1, cmid, hardwareHash, edition, channel, partialKey, issuedAt, validUntil, nonce, issuer };
}

function signature(crypto: Ed25519, privateKey: string, body: TicketBody): string {
  return toBase64(crypto.sign(privateKey, signedMessage(TICKET_TAG, encodeTicketBody(body))));
}

/**
 * Where a ticket this process signed as a KMS host keeps its canonical bytes, made while signing: the
 * body is encoded once, for the signature and for the wire. A hidden (non-enumerable) property of a
 * frozen ticket, so the bytes stay true, copies and JSON leave them behind, and the garbage collector
 * sees a plain field (a WeakMap's entries cost it more under a storm of short-lived tickets).
 */
const ENCODED = Symbol('vact.ticket.encoded');
type EncodedTicket = Ticket & { readonly [ENCODED]?: Uint8Array };

/** Signs a MAK/offline ticket with the authority root key. */
export function signTicketByAuthority(crypto: Ed25519, rootPrivateKey: string, body: TicketBody): Ticket {
  if (body.issuer !== 'authority') throw new VactError('INVALID_REQUEST', `a ticket signed by the authority must have issuer 'authority', not '${body.issuer}'`);
  return { body: { ...body }, signature: signature(crypto, rootPrivateKey, body) };
}

/** Signs a KMS ticket with a host key and attaches the host's certificate. */
export function signTicketByHost(crypto: Ed25519, hostPrivateKey: string, cert: HostCertificate, body: TicketBody): Ticket {
  checkHostBody(body);
  const { message, body: bodyBytes } = signedTicketBody(body);
  return hostTicket(body, bodyBytes, hostSignature(crypto, hostPrivateKey, message), cert);
}

/**
 * Signs several KMS tickets with one signature over the Merkle root of their signed messages; each
 * ticket carries its inclusion path. A batch of one is signTicketByHost's ticket, byte for byte.
 */
export function signTicketBatchByHost(crypto: Ed25519, hash: Sha256, hostPrivateKey: string, cert: HostCertificate, bodies: readonly TicketBody[]): Ticket[] {
  if (bodies.length === 1) return [signTicketByHost(crypto, hostPrivateKey, cert, bodies[0])];
  const encoded = bodies.map((body) => {
    checkHostBody(body);
    return signedTicketBody(body);
  });
  const { root, paths } = merkleTree(hash, encoded.map((e) => batchLeafHash(hash, e.message)));
  const sig = hostSignature(crypto, hostPrivateKey, batchRootMessage(bodies.length, root));
  const sigText = toBase64(sig);
  return bodies.map((body, index) => hostTicket(body, encoded[index].body, sig, cert, { index, size: bodies.length, path: paths[index] }, sigText));
}

function checkHostBody(body: TicketBody): void {
  if (body.issuer !== 'kms-host') throw new VactError('INVALID_REQUEST', `a ticket signed by a KMS host must have issuer 'kms-host', not '${body.issuer}'`);
  if (body.channel !== 'KMS' || body.validUntil === null) {
    throw new VactError('INVALID_REQUEST', 'a KMS host may sign only KMS tickets with an expiry');
  }
}

function hostSignature(crypto: Ed25519, hostPrivateKey: string, message: Uint8Array): Uint8Array {
  const sig = crypto.sign(hostPrivateKey, message);
  if (sig.length !== 64) throw new VactError('INVALID_ENCODING', `${WHAT}: signature must be 64 bytes, got ${sig.length}`);
  return sig;
}

/**
 * A copy of a ticket body, field by field: a KMS host copies one per ticket, and a spread copy there
 * is promoted to V8's old generation on Node 20 (docs/architecture.md, "No spread copies").
 */
function copyBody(b: TicketBody): TicketBody {
  return {
    version: b.version, cmid: b.cmid, hardwareHash: b.hardwareHash, edition: b.edition, channel: b.channel, partialKey: b.partialKey,
    issuedAt: b.issuedAt, validUntil: b.validUntil, nonce: b.nonce, issuer: b.issuer,
  };
}

/** A frozen host ticket holding its canonical bytes, written once: body, signature, certificate, proof. */
function hostTicket(body: TicketBody, bodyBytes: Uint8Array, sig: Uint8Array, cert: HostCertificate, batch?: TicketBatchProof, sigText = toBase64(sig)): Ticket {
  const certBytes = certificateBytes(cert);
  const size = bodyBytes.length + 64 + 3 + certBytes.length + (batch ? batchProofBytes(batch.path.length) : 0);
  const w = new ByteWriter(WHAT, size).bytes(bodyBytes).bytes(sig).u8(batch ? FORM_BATCH : FORM_CERTIFICATE).u16(certBytes.length).bytes(certBytes);
  if (batch) writeBatchProof(w, batch);
  const ticket: Ticket = { body: Object.freeze(copyBody(body)), signature: sigText, hostCertificate: cert };
  if (batch) ticket.batch = Object.freeze(batch);
  Object.defineProperty(ticket, ENCODED, { value: w.finish() });
  return Object.freeze(ticket);
}

function mismatch(field: string, got: string, want: string): VactError {
  return new VactError('TICKET_MISMATCH', `the ticket is for ${field} ${got}, expected ${want}`, { field, ticket: got, expected: want });
}

/** Throws VactError naming the mismatch unless the ticket chains to the root key and is bound to `expect`. */
export function verifyTicket(crypto: Ed25519, rootPublicKey: string, ticket: Ticket, expect: TicketExpectation): void {
  const body = ticket.body;
  const message = signedMessage(TICKET_TAG, encodeTicketBody(body));
  const sig = fromBase64(ticket.signature) ?? new Uint8Array(0);
  if (body.issuer === 'authority') {
    if (ticket.batch) throw new VactError('INVALID_SIGNATURE', 'the authority signs tickets one at a time; this one claims a batch', { issuer: body.issuer });
    if (!crypto.verify(rootPublicKey, message, sig)) {
      throw new VactError('INVALID_SIGNATURE', 'the ticket is not signed by the authority root key', { issuer: body.issuer });
    }
  } else {
    const cert = ticket.hostCertificate;
    if (!cert) throw new VactError('INVALID_SIGNATURE', 'the ticket is signed by a KMS host but carries no host certificate', { issuer: body.issuer });
    verifyHostCertificate(crypto, rootPublicKey, cert, expect.now);
    if (!crypto.verify(cert.body.hostPublicKey, ticket.batch ? batchMessage(ticket.batch, message) : message, sig)) {
      throw new VactError('INVALID_SIGNATURE', `the ticket is not signed by the key of host certificate ${cert.body.serial}`, { issuer: body.issuer, serial: cert.body.serial });
    }
    // A host's authority ends at time-limited KMS activations; MAK/permanent tickets come only from the root.
    if (body.channel !== 'KMS' || body.validUntil === null) {
      throw new VactError('INVALID_SIGNATURE', `a KMS host may sign only KMS tickets with an expiry, this one is ${body.channel}${body.validUntil === null ? ' and permanent' : ''}`, { issuer: body.issuer });
    }
    if (expect.hostKeyCovers && !expect.hostKeyCovers(cert.body.hostKeyGroup, body.edition)) {
      throw new VactError('PRODUCT_NOT_COVERED_BY_HOST', `host key group ${cert.body.hostKeyGroup} does not cover edition ${body.edition}`, {
        hostKeyGroup: cert.body.hostKeyGroup, edition: body.edition,
      });
    }
  }
  if (body.cmid !== expect.cmid) throw mismatch('cmid', body.cmid, expect.cmid);
  if (body.hardwareHash !== expect.hardwareHash) throw mismatch('hardwareHash', body.hardwareHash, expect.hardwareHash);
  if (body.edition !== expect.edition) throw mismatch('edition', body.edition, expect.edition);
  if (expect.nonce !== undefined && body.nonce !== expect.nonce) throw mismatch('nonce', body.nonce, expect.nonce);
  if (body.validUntil !== null && body.validUntil < expect.now) {
    throw new VactError('TICKET_MISMATCH', `the ticket expired at ${new Date(body.validUntil).toISOString()}`, { field: 'validUntil', validUntil: body.validUntil, now: expect.now });
  }
}

/** The batch root message a batch ticket's signature must cover; INVALID_SIGNATURE when its path fits no batch. */
function batchMessage(proof: TicketBatchProof, ticketMessage: Uint8Array): Uint8Array {
  const root = rootFromInclusionPath(sha256, batchLeafHash(sha256, ticketMessage), proof);
  if (!root) throw new VactError('INVALID_SIGNATURE', `the ticket's batch path does not fit position ${proof.index} of ${proof.size}`, { index: proof.index, size: proof.size });
  return batchRootMessage(proof.size, root);
}

/** A KMS host attaches one certificate to every ticket: encode it once (certificates are never mutated). */
const encodedCertificates = new WeakMap<HostCertificate, Uint8Array>();

function certificateBytes(c: HostCertificate): Uint8Array {
  let cert = encodedCertificates.get(c);
  if (!cert) {
    cert = encodeHostCertificate(c);
    encodedCertificates.set(c, cert);
  }
  return cert;
}

/** The canonical bytes of `t`, shared with the cache when it has them (callers copy, never mutate). */
function ticketBytes(t: Ticket): Uint8Array {
  const cached = (t as EncodedTicket)[ENCODED];
  if (cached) return cached;
  const w = new ByteWriter(WHAT).bytes(encodeTicketBody(t.body)).base64('signature', t.signature, 64);
  if (t.hostCertificate) {
    const cert = certificateBytes(t.hostCertificate);
    w.u8(t.batch ? FORM_BATCH : FORM_CERTIFICATE).u16(cert.length).bytes(cert);
    if (t.batch) writeBatchProof(w, t.batch);
  } else {
    if (t.batch) throw new VactError('INVALID_ENCODING', `${WHAT}: a batch ticket carries its host certificate`);
    w.u8(FORM_PLAIN);
  }
  return w.finish();
}

/** Canonical bytes of a signed ticket: body, 64-byte signature, then 0, or 1 + u16 length + the host certificate, or 2 + the certificate + the batch proof. */
export function encodeTicket(t: Ticket): Uint8Array {
  const cached = (t as EncodedTicket)[ENCODED];
  return cached ? cached.slice() : ticketBytes(t);
}

/** @internal For the KMS response encoder: encodeTicket(t) without a copy of its own (read it, never change it). */
export function encodedTicketView(t: Ticket): Uint8Array {
  return ticketBytes(t);
}

/** Reads a signed ticket from its canonical bytes (signatures not checked: see verifyTicket). */
export function decodeTicket(bytes: Uint8Array): Ticket {
  checkSize(WHAT, bytes, MAX_TICKET_BYTES);
  const r = new ByteReader(bytes, WHAT);
  const body = readBody(r);
  const sig = r.base64('signature', 64);
  const at = r.offset;
  const form = r.u8('host certificate flag');
  let ticket: Ticket;
  if (form === FORM_PLAIN) {
    ticket = { body, signature: sig };
  } else if (form === FORM_CERTIFICATE || form === FORM_BATCH) {
    const length = r.u16('host certificate length');
    ticket = { body, signature: sig, hostCertificate: decodeHostCertificate(r.bytes('host certificate', length)) };
    if (form === FORM_BATCH) ticket.batch = readBatchProof(r);
  } else {
    return r.fail(`host certificate flag at byte ${at} must be 0, 1 or 2, got ${form}`);
  }
  r.end();
  return ticket;
}

/** base64 text form for JSON transport/state files. */
export function ticketToText(t: Ticket): string {
  return toBase64(encodeTicket(t));
}

/** Reads the base64 text form; throws VactError('INVALID_ENCODING') for anything else. */
export function ticketFromText(s: string): Ticket {
  const text = typeof s === 'string' ? s.trim() : '';
  if (text.length > Math.ceil(MAX_TICKET_BYTES / 3) * 4) throw new VactError('INVALID_ENCODING', `ticket text: ${text.length} characters, the limit is ${Math.ceil(MAX_TICKET_BYTES / 3) * 4}`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new VactError('INVALID_ENCODING', 'ticket text is not base64');
  return decodeTicket(fromBase64(text.trim()) ?? new Uint8Array(0));
}
