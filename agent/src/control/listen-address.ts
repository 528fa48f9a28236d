// The control listen address (--control HOST:PORT) and the loopback rule of DESIGN §6.
import { isIP } from 'node:net';
import { DEFAULT_CONTROL_HOST, DEFAULT_CONTROL_PORT, VactError } from '@vact/shared';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses "HOST:PORT", "[V6]:PORT", "HOST" or ":PORT" (defaults 127.0.0.1:1689); throws INVALID_CONFIG. */
export function parseListenAddress(text: string): ListenAddress {
  const t = text.trim();
  let host = DEFAULT_CONTROL_HOST;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else if (isIP(t) === 6) {
    host = t;
  } else {
    const i = t.lastIndexOf(':');
    if (i >= 0) {
      host = t.slice(0, i) || DEFAULT_CONTROL_HOST;
      portText = t.slice(i + 1);
    } else if (t) {
      host = t;
    }
  }
  let port = DEFAULT_CONTROL_PORT;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 0 && port <= 65535)) throw new VactError('INVALID_CONFIG', `--control "${text}": the port must be a number from 0 to 65535`);
  }
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new VactError('INVALID_CONFIG', `--control "${text}": "${host}" is not a host name or address`);
  return { host, port };
}

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}
