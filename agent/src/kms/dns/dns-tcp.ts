// One DNS message exchange over TCP (RFC 1035 §4.2.2: u16 length prefix), with a deadline on the
// Clock and an AbortSignal. TCP rather than UDP: an update with TSIG is one round trip either way,
// and TCP needs no retransmission logic of our own.
import * as net from 'node:net';
import { VactError, type Clock } from '@vact/shared/licensing';
import { asError } from '../client/exchange';

export interface DnsServerAddress { host: string; port: number }

export function dnsTcpExchange(server: DnsServerAddress, msg: Buffer, opts: { clock: Clock; signal?: AbortSignal; timeoutMs?: number }): Promise<Buffer> {
  const where = `${server.host}:${server.port}`;
  return new Promise<Buffer>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(asError(opts.signal.reason));
      return;
    }
    const socket = net.connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const timeoutMs = opts.timeoutMs ?? 5000;
    const timer = opts.clock.setTimer(opts.clock.now() + timeoutMs, () => done(new VactError('UNREACHABLE', `DNS server ${where} did not answer within ${timeoutMs} ms`)));
    const onAbort = (): void => done(opts.signal!.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (err: unknown, reply?: Buffer): void => {
      if (settled) return;
      settled = true;
      timer.dispose();
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (reply) resolve(reply);
      else reject(asError(err));
    };
    socket.once('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      socket.write(Buffer.concat([len, msg]));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 65_537) done(new VactError('INVALID_ENCODING', `DNS server ${where} sent an oversized reply`));
      else if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    socket.on('error', (err) => done(new VactError('UNREACHABLE', `DNS server ${where}: ${err.message}`)));
    socket.once('close', () => done(new VactError('UNREACHABLE', `DNS server ${where} closed the connection without a reply`)));
  });
}
