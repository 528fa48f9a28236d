// One KMS exchange over TCP (docs/protocol.md, "KMS wire protocol"): connect, send the request,
// read one reply frame. Each step has a deadline on the Clock and the whole of it honours an
// AbortSignal, so a runner can stop a contact in flight (agent stop, key change).
import * as net from 'node:net';
import {
  decodeKmsFrame, encodeKmsRequest, KMS_MAX_FRAME_BYTES, readFrameHeader, type KmsErrorReply, type KmsRequest, type KmsResponse,
} from '@vact/shared/kms';
import { VactError, type Clock, type Disposable } from '@vact/shared/licensing';

/** A KMS host; `address` (when known) is what to connect to, `host` what to show. */
export interface KmsTarget { host: string; port: number; address?: string }

export interface KmsExchangeOptions {
  clock: Clock;
  signal?: AbortSignal;
  connectTimeoutMs?: number;
  /** Whole exchange, connect included. */
  exchangeTimeoutMs?: number;
  /** Local address to connect from (tests on 127.0.0.x). */
  localAddress?: string;
}

export type KmsReply = { type: 'response'; response: KmsResponse } | { type: 'error'; error: KmsErrorReply };

export const EXCHANGE_DEFAULTS = { connectTimeoutMs: 3000, exchangeTimeoutMs: 10_000 } as const;

/**
 * Sends `request` to `target` and returns the host's reply (a response or a catalogue error frame).
 * Throws VactError KMS_HOST_UNREACHABLE (no connection), KMS_EXCHANGE_TIMEOUT, INVALID_ENCODING
 * (a reply that is not a well-formed frame for this request), or the signal's reason when aborted.
 */
export function kmsExchange(target: KmsTarget, request: KmsRequest, opts: KmsExchangeOptions): Promise<KmsReply> {
  const frame = encodeKmsRequest(request);
  const { clock, signal } = opts;
  return new Promise<KmsReply>((resolve, reject) => {
    if (signal?.aborted) {
      reject(asError(signal.reason));
      return;
    }
    const where = `${target.host}:${target.port}`;
    const timers: Disposable[] = [];
    let connected = false;
    let settled = false;
    const socket = net.connect({ host: target.address ?? target.host, port: target.port, noDelay: true, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) t.dispose();
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      fn();
    };
    const fail = (err: unknown): void => settle(() => reject(asError(err)));
    const onAbort = (): void => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(clock.setTimer(clock.now() + (opts.connectTimeoutMs ?? EXCHANGE_DEFAULTS.connectTimeoutMs), () => {
      if (!connected) fail(new VactError('KMS_HOST_UNREACHABLE', `${where}: no connection within ${opts.connectTimeoutMs ?? EXCHANGE_DEFAULTS.connectTimeoutMs} ms`, { host: where }));
    }));
    timers.push(clock.setTimer(clock.now() + (opts.exchangeTimeoutMs ?? EXCHANGE_DEFAULTS.exchangeTimeoutMs), () => {
      fail(new VactError('KMS_EXCHANGE_TIMEOUT', `${where}: no reply within ${opts.exchangeTimeoutMs ?? EXCHANGE_DEFAULTS.exchangeTimeoutMs} ms`, { host: where }));
    }));
    socket.once('connect', () => {
      connected = true;
      socket.write(frame);
    });
    socket.on('error', (err) => fail(new VactError('KMS_HOST_UNREACHABLE', `${where}: ${err.message}`, { host: where })));
    let buf = new Uint8Array(0);
    const tryDecode = (final: boolean): void => {
      try {
        const header = readFrameHeader(buf, KMS_MAX_FRAME_BYTES);
        if (header && buf.length >= header.frameBytes) {
          const msg = decodeKmsFrame(buf.subarray(0, header.frameBytes), ['response', 'error']);
          if (msg.type === 'request') throw new VactError('INVALID_ENCODING', 'the host sent a request frame');
          const nonce = msg.type === 'response' ? msg.response.nonce : msg.error.nonce;
          // An error for an unreadable request carries the zero nonce; anything else must echo ours.
          if (nonce !== request.nonce && !(msg.type === 'error' && /^0+$/.test(nonce))) {
            throw new VactError('INVALID_ENCODING', `${where}: the reply is for nonce ${nonce}, not ${request.nonce}`);
          }
          settle(() => resolve(msg));
        } else if (final) {
          throw new VactError('KMS_HOST_UNREACHABLE', `${where}: the host closed the connection after ${buf.length} bytes of reply`, { host: where });
        }
      } catch (err) {
        fail(err);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      const next = new Uint8Array(buf.length + chunk.length);
      next.set(buf);
      next.set(chunk, buf.length);
      buf = next;
      tryDecode(false);
    });
    socket.once('end', () => tryDecode(true));
    socket.once('close', () => tryDecode(true));
  });
}

/** An abort reason or a thrown value as an Error (AbortSignal reasons are usually DOMExceptions, which are). */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
