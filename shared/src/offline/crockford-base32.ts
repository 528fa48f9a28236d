// Crockford base32 (https://www.crockford.com/base32.html): digits and upper-case letters without
// I, L, O, U, so that text read, typed or pasted in any case still decodes.

/** The 32 symbols, value order. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const VALUES = new Map<string, number>();
for (let i = 0; i < CROCKFORD_ALPHABET.length; i++) VALUES.set(CROCKFORD_ALPHABET[i], i);
// Crockford's decoding aliases for the letters left out.
VALUES.set('O', 0);
VALUES.set('I', 1);
VALUES.set('L', 1);

/** Base32 text of `bytes`, 5 bits per symbol, big-endian; the last symbol is zero-padded. */
export function toCrockford(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD_ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += CROCKFORD_ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Result of decoding: bytes, or the reason the text is not base32 of whole bytes. */
export type CrockfordResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/** Decodes symbols (case-insensitive, aliases allowed, no separators) back to bytes. */
export function fromCrockford(text: string): CrockfordResult {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = (text[i]).toUpperCase();
    const v = VALUES.get(ch);
    if (v === undefined) return { ok: false, reason: `character '${text[i]}' at position ${i + 1} is not in the alphabet` };
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[n++] = (acc >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  // A well-formed text ends with fewer than 5 padding bits, all zero; anything else was cut or altered.
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return { ok: false, reason: 'the length or last character is wrong (text cut or altered)' };
  return { ok: true, bytes: out };
}
