// Publishing a KMS host in DNS (DESIGN §3): RFC 2136 dynamic updates of its SRV record
// `_vlmcs._tcp.<zone>` and its A record, signed with TSIG; the server's MAC on the reply is checked.
// Messages are built with dns-packet; only the class-NONE delete (which dns-packet cannot express)
// and the TSIG record are written by hand.
import { randomInt } from 'node:crypto';
import * as dnsPacket from 'dns-packet';
import { VactError, type Clock } from '@vact/shared/licensing';
import { dnsTcpExchange, type DnsServerAddress } from './dns-tcp';
import { signMessage, verifyReply } from './tsig';
import type { TsigKey } from './tsig-key';
import { nameWire } from './wire-name';

const OPCODE_UPDATE = 5 << 11;

export interface SrvPublication {
  zone: string;
  /** The host's own name, the SRV target (e.g. kms1.lab.test). */
  target: string;
  /** The host's address, published as the target's A record. */
  address: string;
  port: number;
  priority: number;
  weight: number;
  ttl: number;
}

export interface UpdateOptions {
  server: DnsServerAddress;
  key: TsigKey;
  clock: Clock;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export const srvName = (zone: string): string => `_vlmcs._tcp.${zone.replace(/\.$/, '')}`;

function message(zone: string, authorities: dnsPacket.Answer[]): Buffer {
  return dnsPacket.encode({ type: 'query', id: randomInt(0, 0x10000), flags: OPCODE_UPDATE, questions: [{ name: zone, type: 'SOA', class: 'IN' }], authorities });
}

/** Adds (or refreshes) the host's SRV record and replaces its A record. */
export async function publishSrv(p: SrvPublication, opts: UpdateOptions): Promise<void> {
  const msg = message(p.zone, [
    // Delete the A RRset of our own name first (updates apply in order), then add the current address.
    { name: p.target, type: 'UNKNOWN_1' as 'A', class: 'ANY', ttl: 0, data: Buffer.alloc(0) } as unknown as dnsPacket.Answer,
    { name: p.target, type: 'A', class: 'IN', ttl: p.ttl, data: p.address },
    { name: srvName(p.zone), type: 'SRV', class: 'IN', ttl: p.ttl, data: { priority: p.priority, weight: p.weight, port: p.port, target: p.target } },
  ]);
  await send(msg, opts, `publish ${srvName(p.zone)} → ${p.target}:${p.port}`);
}

/** Removes exactly this host's SRV record (class NONE, RFC 2136 §2.5.4), leaving other hosts' records. */
export async function withdrawSrv(p: Pick<SrvPublication, 'zone' | 'target' | 'port' | 'priority' | 'weight'>, opts: UpdateOptions): Promise<void> {
  const base = message(p.zone, []);
  const rdata = Buffer.concat([u16(p.priority), u16(p.weight), u16(p.port), nameWire(p.target)]);
  const rr = Buffer.concat([nameWire(srvName(p.zone)), u16(33), u16(254), Buffer.alloc(4), u16(rdata.length), rdata]);
  const msg = Buffer.concat([base, rr]);
  msg.writeUInt16BE(1, 8); // NSCOUNT: the update section holds this one record
  await send(msg, opts, `withdraw ${srvName(p.zone)} → ${p.target}:${p.port}`);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

async function send(msg: Buffer, opts: UpdateOptions, what: string): Promise<void> {
  const { signed, mac } = signMessage(msg, opts.key, opts.clock.now());
  const reply = await dnsTcpExchange(opts.server, signed, opts);
  if (reply.length < 12 || reply.readUInt16BE(0) !== msg.readUInt16BE(0)) throw new VactError('DNS_TSIG_INVALID', `${what}: the reply does not match the request`);
  // dns-packet decodes the rcode, though its type definitions leave it out.
  const rcode = String((dnsPacket.decode(reply) as { rcode?: string }).rcode ?? 'UNKNOWN');
  const check = verifyReply(reply, opts.key, mac, opts.clock.now());
  if (!check.ok && check.reason === 'unsigned' && rcode !== 'NOERROR') {
    // The server could not sign (e.g. it does not know our key or our MAC was wrong): say why.
    throw new VactError('DNS_UPDATE_REFUSED', `${what}: ${rcode}${check.error ? ` (TSIG ${check.error}: ${tsigHint(check.error)})` : ''}`, { rcode, tsigError: check.error });
  }
  if (!check.ok) throw new VactError('DNS_TSIG_INVALID', `${what}: the reply's TSIG check failed (${check.reason})`, { rcode, reason: check.reason });
  if (rcode !== 'NOERROR') throw new VactError('DNS_UPDATE_REFUSED', `${what}: ${rcode}`, { rcode });
}

function tsigHint(error: string): string {
  return error === 'BADSIG' ? 'the secret does not match the server\'s' : error === 'BADKEY' ? 'the server does not know this key name' : error === 'BADTIME' ? 'the clocks differ by more than 5 minutes' : 'see RFC 8945';
}
