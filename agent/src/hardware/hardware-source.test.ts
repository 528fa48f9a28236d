import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileHardwareSource, SystemInformationSource } from './hardware-source';
import { HardwareScanner } from './hardware-scanner';

describe('hardware sources', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-hw-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the optional keys of a hardware file', async () => {
    const f = path.join(dir, 'hw.json');
    fs.writeFileSync(f, JSON.stringify({ board: 'b', mem: 1024 ** 3, disks: ['d1'], macs: ['02:00:00:00:00:01'], machineId: 'm' }));
    assert.deepEqual(await new FileHardwareSource(f).read(), { board: 'b', mem: 1024 ** 3, disks: ['d1'], macs: ['02:00:00:00:00:01'], machineId: 'm' });
  });

  it('refuses unknown keys, wrong types and unreadable files, naming the problem', async () => {
    const f = path.join(dir, 'hw.json');
    const src = new FileHardwareSource(f);
    await assert.rejects(src.read(), /cannot read/);
    for (const [json, msg] of [[{ gpu: 'x' }, /unknown key "gpu"/], [{ mem: '8G' }, /"mem" must be a number/], [{ macs: 'x' }, /"macs" must be an array/], [{ cpu: 1 }, /"cpu" must be a string/], [[], /JSON object/]] as const) {
      fs.writeFileSync(f, JSON.stringify(json));
      await assert.rejects(src.read(), (e: Error) => msg.test(e.message));
    }
    fs.writeFileSync(f, '{');
    await assert.rejects(src.read(), /not valid JSON/);
  });

  it('systeminformation yields a hash even where DMI fields are empty (machine-id fallback)', async () => {
    const scanner = new HardwareScanner(new SystemInformationSource(), () => 0);
    assert.equal(scanner.cached(), null);
    const [a, b] = await Promise.all([scanner.scan(), scanner.scan()]);
    assert.equal(a, b, 'concurrent scans share one run');
    assert.match(a.hardwareHash, /^[0-9a-f]{32}$/);
    assert.ok(Object.keys(a.components).length >= 2, JSON.stringify(a.components));
    assert.equal(scanner.cached(), a);
  });
});
