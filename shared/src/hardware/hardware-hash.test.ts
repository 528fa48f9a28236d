import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  HARDWARE_COMPONENTS, hardwareHashOf, hashComponents, normaliseComponent, toleranceVote,
  type HardwareComponentName, type HardwareComponents,
} from './hardware-hash';

const base: HardwareComponents = {
  board: 'Board-SN-1', system: 'uuid-1111', cpu: 'AMD EPYC 2 cores', mem: 16 * 1024 ** 3,
  disks: ['disk-a', 'disk-b'], macs: ['02:fc:00:00:00:01'], machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4',
};

function changed(c: HardwareComponents, names: readonly HardwareComponentName[]): HardwareComponents {
  const out: HardwareComponents = { ...c };
  for (const n of names) {
    if (n === 'mem') out.mem = (c.mem ?? 0) + 8 * 1024 **3;
    else if (n === 'disks' || n === 'macs') out[n] = [...(c[n] ?? []), n === 'macs' ? '02:aa:bb:cc:dd:ee' : 'disk-new'];
    else out[n] = `${c[n] ?? ''}-changed`;
  }
  return out;
}

describe('hardware hash (pure)', () => {
  it('is 32 hex chars and stable for the same machine', () => {
    const h = hardwareHashOf(hashComponents(base));
    assert.match(h, /^[0-9a-f]{32}$/);
    assert.equal(hardwareHashOf(hashComponents({ ...base })), h);
  });

  it('ignores order and case of disks and MACs, zero MACs and memory jitter', () => {
    const a = hashComponents(base);
    const b = hashComponents({ ...base, disks: ['DISK-B', 'disk-a'], macs: ['00:00:00:00:00:00', '02:FC:00:00:00:01'], mem: (base.mem ?? 0) - 3 * 1024 ** 2 });
    assert.deepEqual(b, a);
  });

  it('never contains the raw values (salted per component)', () => {
    const hashes = hashComponents(base);
    const text = JSON.stringify(hashes);
    assert.ok(!text.includes('3d1219c7'));
    assert.notEqual(hashComponents({ cpu: 'x' }).cpu, hashComponents({ machineId: 'x' }).machineId);
  });

  it('treats empty and placeholder values as unavailable', () => {
    assert.deepEqual(hashComponents({ board: '', system: '-', disks: [], macs: ['00:00:00:00:00:00'], mem: 0 }), {});
    assert.equal(normaliseComponent('system', '00000000-0000-0000-0000-000000000000'), null);
  });

  it('rejects values of the wrong type', () => {
    assert.throws(() => hashComponents({ mem: -1 }), /mem/);
    assert.throws(() => hashComponents({ disks: 'sda' as unknown as string[] }), /disks/);
    assert.throws(() => hashComponents({ cpu: 5 as unknown as string }), /cpu/);
  });

  it('changing one component of five stays within tolerance', () => {
    fc.assert(fc.property(
      fc.shuffledSubarray([...HARDWARE_COMPONENTS], { minLength: 5, maxLength: 7 }),
      fc.nat(),
      (present, pick) => {
        const machine: HardwareComponents = {};
        for (const n of present) (machine as Record<string, unknown>)[n] = base[n];
        const one = present[pick % present.length];
        const vote = toleranceVote(hashComponents(machine), hashComponents(changed(machine, [one])));
        assert.equal(vote.withinTolerance, true, `changing ${one} of ${present.join(',')}`);
        assert.deepEqual(vote.changed, [one]);
      },
    ));
  });

  it('changing three or more components is out of tolerance', () => {
    fc.assert(fc.property(fc.shuffledSubarray([...HARDWARE_COMPONENTS], { minLength: 3 }), (names) => {
      const vote = toleranceVote(hashComponents(base), hashComponents(changed(base, names)));
      assert.equal(vote.withinTolerance, false, `changing ${names.join(',')}`);
    }));
  });

  it('an identical scan is within tolerance with nothing changed', () => {
    const vote = toleranceVote(hashComponents(base), hashComponents(base));
    assert.deepEqual(vote, { withinTolerance: true, changed: [], changedWeight: 0, totalWeight: 10 });
  });

  it('with few components, losing the majority weight is out of tolerance', () => {
    const before = hashComponents({ machineId: 'a', mem: 8 * 1024 ** 3 });
    assert.equal(toleranceVote(before, hashComponents({ machineId: 'b', mem: 8 * 1024 ** 3 })).withinTolerance, false);
    assert.equal(toleranceVote(before, hashComponents({ machineId: 'a', mem: 4 * 1024 ** 3 })).withinTolerance, true);
  });
});
