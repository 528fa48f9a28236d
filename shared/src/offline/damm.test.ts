import assert from 'node:assert/strict';
import { dammCheckDigit } from './damm';

describe('Damm check digit', () => {
  it('matches the published example (572 -> 4)', () => {
    assert.equal(dammCheckDigit('572'), 4);
  });

  it('detects every single-digit error and every adjacent swap, for every seed', () => {
    for (let seed = 0; seed < 10; seed++) {
      for (let x = 0; x < 10; x++) {
        for (let y = 0; y < 10; y++) {
          if (x === y) continue;
          assert.notEqual(dammCheckDigit(String(x), seed), dammCheckDigit(String(y), seed), `single digit, seed ${seed}`);
          for (let c = 0; c < 10; c++) {
            assert.notEqual(dammCheckDigit(`${c}${x}${y}`, seed), dammCheckDigit(`${c}${y}${x}`, seed), `swap ${x}${y} after ${c}, seed ${seed}`);
            assert.notEqual(dammCheckDigit(`${x}${c}`, seed), dammCheckDigit(`${y}${c}`, seed), `column permutation, seed ${seed}`);
          }
        }
      }
    }
  });
});
