// The README's main job: `vact lab` brings up an authority and lab agents as real processes.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VACT_BIN } from '../fixtures/processes';

interface LabJson {
  makKey: string;
  authority: { url: string };
  agents: { name: string; status: { status: string; statusCode: number; channel: string | null; partialKey: string | null } }[];
}

function lab(dir: string, ...extra: string[]): LabJson {
  const r = spawnSync(process.execPath, [VACT_BIN, 'lab', '--dir', dir, '--once', '--json', ...extra], { encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, `vact lab failed:\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as LabJson;
}

describe('vact lab (local lab of real processes)', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-lab-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts an authority and agents; MAK agents are Licensed, the KMS client stays in grace', () => {
    const out = lab(dir, '--agents', '3');
    assert.equal(out.agents.length, 3);
    const [a, b, c] = out.agents;
    assert.equal(a.status.status, 'Licensed');
    assert.equal(a.status.channel, 'MAK');
    assert.equal(a.status.partialKey, out.makKey.slice(-5));
    assert.equal(b.status.status, 'Licensed');
    assert.equal(c.status.status, 'InitialGrace');
    assert.equal(c.status.statusCode, 2);
  });

  it('keeps its state between runs: the same MAK and authority, the agents still Licensed', () => {
    const first = JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as { makKey: string };
    const out = lab(dir, '--agents', '3');
    assert.equal(out.makKey, first.makKey);
    assert.deepEqual(out.agents.map((x) => x.status.status), ['Licensed', 'Licensed', 'InitialGrace']);
  });

  it('refuses a lab.json with an unknown key or a value that is not a MAK, naming file and key; nothing starts', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-lab-bad-'));
    try {
      const file = path.join(bad, 'lab.json');
      for (const [json, message] of [
        [{ version: 1, makKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' }, `lab file ${file}: makKey: expected a MAK`],
        [{ version: 1, colour: 'blue' }, `lab file ${file}: colour: unknown key (known: version, makKey)`],
        [{ version: 2 }, `lab file ${file}: version: expected 1`],
      ] as const) {
        const text = JSON.stringify(json);
        fs.writeFileSync(file, text);
        const r = spawnSync(process.execPath, [VACT_BIN, 'lab', '--dir', bad, '--once'], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(r.status, 2, r.stderr);
        assert.ok(r.stderr.includes(message), r.stderr);
        assert.deepEqual(fs.readdirSync(bad), ['lab.json'], 'no authority or agent was started');
        assert.equal(fs.readFileSync(file, 'utf8'), text, 'the file is kept as it was');
      }
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });

  it('refuses a bad --agents value with a usage error', () => {
    const r = spawnSync(process.execPath, [VACT_BIN, 'lab', '--dir', dir, '--once', '--agents', 'lots'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--agents must be a whole number/);
  });
});
