// CONTRACT — implemented by the shared-crypto helper.
import type { Ed25519 } from '../crypto/signer';
import type { HostCertificate } from './certificate';
export type ActivationChannel = 'KMS' | 'MAK' | 'offline';
export interface TicketBody {
  version: 1;
  cmid: string; // 32 hex chars (128-bit)
  hardwareHash: string;
  edition: string;
  channel: ActivationChannel;
  partialKey: string;
  issuedAt: number; // ms since epoch
  validUntil: number | null; // null = permanent (MAK/offline)
  nonce: string; // hex, from the request; offline: derived from the installation ID
  issuer: 'authority' | 'kms-host';
}
export interface Ticket { body: TicketBody; signature: string; hostCertificate?: HostCertificate }
export interface TicketExpectation { cmid: string; hardwareHash: string; edition: string; nonce?: string; now: number }
export declare function signTicketByAuthority(crypto: Ed25519, rootPrivateKey: string, body: TicketBody): Ticket;
export declare function signTicketByHost(crypto: Ed25519, hostPrivateKey: string, cert: HostCertificate, body: TicketBody): Ticket;
/** Throws VactError naming the mismatch unless the ticket chains to the root key and is bound to `expect`. */
export declare function verifyTicket(crypto: Ed25519, rootPublicKey: string, ticket: Ticket, expect: TicketExpectation): void;
export declare function encodeTicket(t: Ticket): Uint8Array; // canonical bytes
export declare function decodeTicket(bytes: Uint8Array): Ticket;
/** base64 text form for JSON transport/state files. */
export declare function ticketToText(t: Ticket): string;
export declare function ticketFromText(s: string): Ticket;
