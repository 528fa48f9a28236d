// Batch-signed KMS tickets (docs/protocol.md, "Batch-signed tickets"): a KMS host answering many
// clients in one event-loop turn signs the Merkle root (RFC 9162 §2.1) of their tickets once, and
// each ticket carries its inclusion path. Under a renewal storm that is one Ed25519 signature per
// batch instead of one per client; a verifier does one signature check as before, plus a few hashes.
import { VactError } from '../errors/error-codes';
import { ByteReader, ByteWriter, signedMessage } from './canonical-bytes';

/** SHA-256 as the caller has it (libsodium or node:crypto on a host, the core's pure one elsewhere). */
export type Sha256 = (data: Uint8Array) => Uint8Array;

/** Domain-separation tag of the message a host signs for a batch: never a ticket's or a certificate's. */
export const TICKET_BATCH_TAG = 'vact/ticket-batch/v1';
/** Most tickets under one root: an inclusion path is then at most 10 hashes (320 bytes). */
export const MAX_BATCH_TICKETS = 1024;
/** Longest inclusion path a reader accepts (ceil(log2(MAX_BATCH_TICKETS))). */
export const MAX_BATCH_PATH = 10;
const HASH_BYTES = 32;

/** Where one ticket sits in its batch: its leaf index, the number of leaves, and its inclusion path (leaf to root). */
export interface TicketBatchProof {
  index: number;
  size: number;
  path: readonly Uint8Array[];
}

const LEAF_PREFIX = Uint8Array.of(0x00);

/** Leaf hash of a ticket: SHA-256(0x00 || the ticket's signed message). */
export function batchLeafHash(hash: Sha256, ticketMessage: Uint8Array): Uint8Array {
  const b = new Uint8Array(1 + ticketMessage.length);
  b.set(LEAF_PREFIX, 0);
  b.set(ticketMessage, 1);
  return hash(b);
}

/** Interior node: SHA-256(0x01 || left || right). */
function nodeHash(hash: Sha256, left: Uint8Array, right: Uint8Array): Uint8Array {
  const b = new Uint8Array(1 + 2 * HASH_BYTES);
  b[0] = 0x01;
  b.set(left, 1);
  b.set(right, 1 + HASH_BYTES);
  return hash(b);
}

/**
 * The root over `leaves` (leaf hashes) and every leaf's inclusion path. Built bottom-up: pairs from
 * the left, an odd last node moving up unchanged — the same tree as RFC 9162's recursive split at
 * the largest power of two below n, in O(n) hashes.
 */
export function merkleTree(hash: Sha256, leaves: readonly Uint8Array[]): { root: Uint8Array; paths: Uint8Array[][] } {
  const n = leaves.length;
  if (n < 1 || n > MAX_BATCH_TICKETS) throw new VactError('INVALID_REQUEST', `a ticket batch holds 1 to ${MAX_BATCH_TICKETS} tickets, not ${n}`);
  const paths: Uint8Array[][] = leaves.map(() => []);
  // Which node of the current level each leaf sits under: leaf i is under node i >> level.
  let level: readonly Uint8Array[] = leaves;
  for (let shift = 0; level.length > 1; shift++) {
    const up: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) up.push(nodeHash(hash, level[i], level[i + 1]));
    if (level.length % 2 === 1) up.push(level[level.length - 1]);
    for (let leaf = 0; leaf < n; leaf++) {
      const sibling = (leaf >> shift) ^ 1;
      if (sibling < level.length) paths[leaf].push(level[sibling]);
    }
    level = up;
  }
  return { root: level[0], paths };
}

/**
 * RFC 9162 §2.1.3.2: the root that `leaf` at `index` of `size` leaves and its `path` lead to, or
 * null when the path cannot belong to a tree of that size (too short, too long, index out of range).
 */
export function rootFromInclusionPath(hash: Sha256, leaf: Uint8Array, proof: TicketBatchProof): Uint8Array | null {
  const { index, size, path } = proof;
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size || size > MAX_BATCH_TICKETS) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (p.length !== HASH_BYTES || sn === 0) return null;
    if ((fn & 1) === 1 || fn === sn) {
      r = nodeHash(hash, p, r);
      while ((fn & 1) === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = nodeHash(hash, r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

/** What the host signs for a batch: signedMessage(TICKET_BATCH_TAG, u16 size || root). */
export function batchRootMessage(size: number, root: Uint8Array): Uint8Array {
  return signedMessage(TICKET_BATCH_TAG, new ByteWriter('ticket batch', 2 + HASH_BYTES).u16(size).bytes(root).finish());
}

/** Appends a proof in its canonical form: u16 index, u16 size, u8 path length, the path's hashes. */
export function writeBatchProof(w: ByteWriter, proof: TicketBatchProof): ByteWriter {
  w.u16(proof.index).u16(proof.size).u8(proof.path.length);
  for (const p of proof.path) w.bytes(p);
  return w;
}

/** Bytes of a proof with a path of `pathLength` hashes. */
export function batchProofBytes(pathLength: number): number {
  return 5 + pathLength * HASH_BYTES;
}

/** Reads a proof, refusing sizes and lengths no batch can have (the path itself is checked by verification). */
export function readBatchProof(r: ByteReader): TicketBatchProof {
  const at = r.offset;
  const index = r.u16('batch index');
  const size = r.u16('batch size');
  if (size < 2 || size > MAX_BATCH_TICKETS || index >= size) r.fail(`batch index ${index} of size ${size} at byte ${at} is not a batch position (size 2 to ${MAX_BATCH_TICKETS})`);
  const lengthAt = r.offset;
  const length = r.u8('batch path length');
  if (length < 1 || length > MAX_BATCH_PATH) r.fail(`batch path length ${length} at byte ${lengthAt} must be 1 to ${MAX_BATCH_PATH}`);
  const path: Uint8Array[] = [];
  for (let i = 0; i < length; i++) path.push(r.bytes('batch path', HASH_BYTES).slice());
  return { index, size, path };
}
