import * as assert from 'node:assert/strict';
import type { HardwareComponents } from '@vact/shared';
import { HardwareScanner } from './hardware-scanner';
import type { HardwareSource } from './hardware-source';

/** A source whose reads finish only when the test says so, to order them against rescans. */
class GatedSource implements HardwareSource {
  readonly description = 'gated';
  board = 'board-1';
  reads = 0;
  private pending: (() => void)[] = [];
  read(): Promise<HardwareComponents> {
    this.reads++;
    const board = this.board; // what the machine looks like when the read starts
    return new Promise((resolve) => this.pending.push(() => resolve({ board, machineId: 'm' })));
  }
  finishAll(): void {
    const p = this.pending;
    this.pending = [];
    for (const f of p) f();
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('hardware scanner', () => {
  it('concurrent background scans share one read', async () => {
    const src = new GatedSource();
    const scanner = new HardwareScanner(src, () => 0);
    const a = scanner.scan();
    const b = scanner.scan();
    src.finishAll();
    assert.equal(await a, await b);
    assert.equal(src.reads, 1);
  });

  it('a rescan never joins a scan started before the hardware changed', async () => {
    const src = new GatedSource();
    const scanner = new HardwareScanner(src, () => 0);
    const background = scanner.scan(); // started while the old board is in
    src.board = 'board-2'; // the administrator swaps the board, then asks for a rescan
    const rescan = scanner.rescan();
    src.finishAll();
    const old = await background;
    await tick();
    src.finishAll();
    const fresh = await rescan;
    assert.equal(src.reads, 2);
    assert.notEqual(fresh.hardwareHash, old.hardwareHash);
    assert.equal(scanner.cached(), fresh);
  });
});
