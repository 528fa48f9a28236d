// DNS names and records in wire form where dns-packet has no way to say it: TSIG needs names in
// canonical (lowercase, uncompressed) form for its MAC, and RFC 2136's class NONE is not in dns-packet.

/** Canonical wire form of a domain name: length-prefixed lowercase labels, then 0. */
export function nameWire(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter((l) => l.length > 0);
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new Error(`DNS label "${l}" is longer than 63 bytes`);
    parts.push(Buffer.of(b.length), b);
  }
  parts.push(Buffer.of(0));
  return Buffer.concat(parts);
}

/** Offset just past the (possibly compressed) name at `at`; throws on truncation. */
export function skipName(msg: Buffer, at: number): number {
  for (let hops = 0; hops < 128; hops++) {
    if (at >= msg.length) throw new Error('truncated name');
    const len = msg[at];
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2;
    at += 1 + len;
  }
  throw new Error('name too long');
}

/** Start offsets of every resource record after the question section. */
export function recordOffsets(msg: Buffer): { start: number; end: number }[] {
  if (msg.length < 12) throw new Error('DNS message shorter than its header');
  const qd = msg.readUInt16BE(4);
  const rr = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  let at = 12;
  for (let i = 0; i < qd; i++) at = skipName(msg, at) + 4;
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < rr; i++) {
    const start = at;
    at = skipName(msg, at);
    if (at + 10 > msg.length) throw new Error('truncated record');
    at += 10 + msg.readUInt16BE(at + 8);
    if (at > msg.length) throw new Error('truncated record data');
    out.push({ start, end: at });
  }
  return out;
}
