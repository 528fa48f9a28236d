// Listen addresses and the loopback rule of DESIGN §6: binding anything but loopback needs TLS.
// One definition for the agent's control API and the authority, so the rule cannot drift.

/** True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost, IPv4-mapped 127.x). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Splits HOST:PORT ([V6]:PORT too); on failure says why, for the caller's own message. */
export function splitHostPort(text: string): { host: string; port: number } | { error: string } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return { error: 'not HOST:PORT' };
  const port = Number(m[3]);
  if (port > 65535) return { error: `port ${port} is out of range 0-65535` };
  return { host: m[1] ?? m[2] ?? '', port };
}
