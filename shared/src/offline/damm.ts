// Damm check digit: catches every single-digit error and every swap of adjacent digits, which are
// the mistakes people make reading digits out over the phone.

// The totally anti-symmetric quasigroup of order 10 from H. Michael Damm's thesis (2004).
const TABLE = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

/**
 * The check digit of a string of decimal digits. `start` (0..9) seeds the interim digit; the
 * table's anti-symmetry holds for every seed, so seeding with a group's position keeps both
 * guarantees and also catches most groups read out in the wrong place.
 */
export function dammCheckDigit(digits: string, start = 0): number {
  let interim: number = start % 10;
  for (const ch of digits) interim = TABLE[interim][ch.charCodeAt(0) - 48];
  return interim;
}
