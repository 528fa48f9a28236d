import assert from 'node:assert/strict';
import { ErrorCodes } from './error-codes';

describe('error catalogue', () => {
  it('gives every code its own number (scripts and docs quote the numbers)', () => {
    const seen = new Map<number, string>();
    for (const [code, info] of Object.entries(ErrorCodes)) {
      assert.ok(!seen.has(info.number), `${code} and ${seen.get(info.number)} share ${info.number}`);
      seen.set(info.number, code);
    }
  });
});
