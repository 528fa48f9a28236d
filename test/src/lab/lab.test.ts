// The README's main job: `vact lab` brings up an authority, a KMS host, KMS clients and a MAK
// machine as real processes; from another terminal `vact lab status` and `vact lab advance`
// work on it, and the thresholds, renewals, validity and grace play out on one simulated clock.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { VACT_BIN } from '../fixtures/processes';

interface LabAgentJson {
  name: string; role: string; edition: string; state: string; count: number | null; why: string; control: string; stateDir: string;
  status: { status: string; statusCode: number; channel: string | null; partialKey: string | null };
}
interface LabJson { makKey: string; kmsHostKey: string; discovery: { kind: string }; authority: { url: string }; agents: LabAgentJson[] }
interface StatusJson { agents: { name: string; role: string; edition: string; status: string; count: number | null; control: string; stateDir: string }[] }

function vact(args: string[], timeout = 120_000): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [VACT_BIN, ...args], { encoding: 'utf8', timeout });
}

function labOnce(dir: string, ...extra: string[]): LabJson {
  const r = vact(['lab', '--dir', dir, '--once', '--json', ...extra]);
  assert.equal(r.status, 0, `vact lab failed:\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout) as LabJson;
}

function states(s: StatusJson): Record<string, string> {
  return Object.fromEntries(s.agents.map((a) => [a.name, a.status]));
}

describe('vact lab (a KMS + MAK lab of real processes)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-lab-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Mocha runs a suite's own tests before its child suites: every part is a suite, in order.
  describe('up and again', () => {
  it('starts the lab: servers Licensed by KMS at count 5, client editions in grace below 25, the MAK machine Licensed', () => {
    const out = labOnce(dir);
    assert.deepEqual(out.agents.map((a) => `${a.name}:${a.role}:${a.edition}`), [
      'kms-host:kms-host:server-standard', 'client-1:kms-client:client-enterprise', 'client-2:kms-client:client-professional',
      'client-3:kms-client:client-enterprise', 'server-1:kms-client:server-standard', 'server-2:kms-client:server-web', 'mak-1:mak:client-enterprise',
    ]);
    assert.equal(out.discovery.kind, 'dns', 'dnsmasq is installed by test:setup, so clients find the host by SRV');
    const by = Object.fromEntries(out.agents.map((a) => [a.name, a]));
    assert.equal(by['kms-host'].count, 5);
    for (const s of ['server-1', 'server-2']) {
      assert.equal(by[s].state, 'Licensed', `${s}: ${by[s].why}`);
      assert.equal(by[s].status.channel, 'KMS');
    }
    for (const c of ['client-1', 'client-2', 'client-3']) {
      assert.equal(by[c].state, 'InitialGrace');
      assert.match(by[c].why, /^count 5 of 25/);
    }
    assert.equal(by['mak-1'].state, 'Licensed');
    assert.equal(by['mak-1'].status.partialKey, out.makKey.slice(-5));
  });

  it('reuses the lab on the next run: the same keys, control URLs and states', () => {
    const first = labOnce(dir);
    const again = labOnce(dir);
    assert.equal(again.makKey, first.makKey);
    assert.equal(again.kmsHostKey, first.kmsHostKey);
    assert.deepEqual(again.agents.map((a) => a.control), first.agents.map((a) => a.control));
    assert.deepEqual(again.agents.map((a) => a.state), first.agents.map((a) => a.state));
  });

  });

  describe('while it runs', () => {
    let lab: ChildProcess;
    let exited: Promise<number | null>;
    before(async () => {
      lab = spawn(process.execPath, [VACT_BIN, 'lab', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      lab.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
      lab.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
      exited = new Promise((resolve) => lab.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 120_000;
      while (!out.includes('Press Ctrl-C')) {
        if (lab.exitCode !== null || Date.now() > deadline) throw new Error(`the lab did not come up:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    after(async () => {
      if (lab.exitCode === null) lab.kill('SIGKILL');
      await exited;
    });

    function status(): StatusJson {
      const r = vact(['lab', 'status', '--dir', dir, '--json']);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as StatusJson;
    }
    function advance(by: string): void {
      const r = vact(['lab', 'advance', by, '--dir', dir, '--json'], 400_000);
      assert.equal(r.status, 0, r.stderr);
    }

    it('`vact lab status --json` from another process lists every machine with role, edition, status, control and state dir', () => {
      const s = status();
      assert.equal(s.agents.length, 7);
      for (const a of s.agents) {
        assert.ok(a.name && a.role && a.edition && a.status && a.control.startsWith('ws://127.0.0.1:') && fs.existsSync(a.stateDir), JSON.stringify(a));
      }
    });

    it('refuses a second lab on the same folder, and a reset while it runs', () => {
      const second = vact(['lab', '--dir', dir, '--once']);
      assert.notEqual(second.status, 0);
      assert.match(second.stderr, /a lab is already running in .* \(PID \d+\)/);
      const reset = vact(['lab', 'reset', '--dir', dir]);
      assert.notEqual(reset.status, 0);
      assert.match(reset.stderr, /is running \(PID \d+\): stop it first/);
      assert.ok(fs.existsSync(path.join(dir, 'lab.json')));
    });

    it('moves every clock together: day 7 renewed, day 30 grace over, day 180 and 200 servers still Licensed by renewals', () => {
      const day0 = states(status());
      assert.deepEqual([day0['kms-host'], day0['server-1'], day0['client-1'], day0['mak-1']], ['Licensed', 'Licensed', 'InitialGrace', 'Licensed'], JSON.stringify(day0));
      advance('7d');
      const day7 = states(status());
      assert.deepEqual([day7['server-1'], day7['server-2'], day7['client-1'], day7['mak-1']], ['Licensed', 'Licensed', 'InitialGrace', 'Licensed'], JSON.stringify({ day0, day7 }));
      advance('23d');
      const day30 = states(status());
      assert.deepEqual([day30['server-1'], day30['client-1'], day30['client-2'], day30['client-3']], ['Licensed', 'Notification', 'Notification', 'Notification'], JSON.stringify(day30));
      advance('150d');
      const day180 = status();
      const s180 = states(day180);
      assert.deepEqual([s180['kms-host'], s180['server-1'], s180['server-2'], s180['mak-1']], ['Licensed', 'Licensed', 'Licensed', 'Licensed'], JSON.stringify(s180));
      assert.equal(day180.agents.find((a) => a.name === 'kms-host')?.count, 5, 'renewals keep every machine in the count past the 30-day cache lifetime');
      advance('20d');
      const s200 = states(status());
      assert.deepEqual([s200['kms-host'], s200['server-1'], s200['server-2'], s200['client-1']], ['Licensed', 'Licensed', 'Licensed', 'Notification'], JSON.stringify(s200));
    });

    it('stops cleanly on Ctrl-C: exit 0, every process gone, and `lab status` says no lab runs (exit 4)', async () => {
      lab.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.ok(!fs.existsSync(path.join(dir, 'run.json')));
      const ports = (JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as { agents: { controlPort: number }[] }).agents.map((a) => a.controlPort);
      for (const port of ports) {
        const refused = await new Promise<boolean>((resolve) => {
          const sock = net.connect(port, '127.0.0.1');
          sock.once('connect', () => { sock.destroy(); resolve(false); });
          sock.once('error', () => resolve(true));
        });
        assert.ok(refused, `an agent still listens on ${port}`);
      }
      const r = vact(['lab', 'status', '--dir', dir]);
      assert.equal(r.status, 4);
      assert.match(r.stderr, /no lab is running in/);
    });
  });

  describe('reset and refusals', () => {
  it('reset wipes a stopped lab, and refuses a folder that is not a lab', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-notlab-'));
    try {
      fs.writeFileSync(path.join(other, 'precious.txt'), 'keep me');
      const refused = vact(['lab', 'reset', '--dir', other]);
      assert.equal(refused.status, 2);
      assert.ok(fs.existsSync(path.join(other, 'precious.txt')));
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
    const r = vact(['lab', 'reset', '--dir', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!fs.existsSync(dir));
    fs.mkdirSync(dir);
  });

  it('refuses a lab.json with an unknown key or a key of the wrong type, naming file and key; nothing starts', () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-lab-bad-'));
    try {
      const file = path.join(bad, 'lab.json');
      const base = { version: 2, clock: 'sim', authorityPort: 8470, agents: [] };
      for (const [json, message] of [
        [{ version: 1, makKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' }, `lab file ${file}: makKey: expected a MAK`],
        [{ ...base, colour: 'blue' }, `lab file ${file}: colour: unknown key`],
        [{ ...base, kmsHostKey: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA' }, `lab file ${file}: kmsHostKey: expected a KMS host key`],
        [{ version: 3 }, `lab file ${file}: version: expected 1 or 2`],
      ] as const) {
        const text = JSON.stringify(json);
        fs.writeFileSync(file, text);
        const r = vact(['lab', '--dir', bad, '--once'], 30_000);
        assert.equal(r.status, 2, r.stderr);
        assert.ok(r.stderr.includes(message), r.stderr);
        assert.deepEqual(fs.readdirSync(bad), ['lab.json'], 'no authority or agent was started');
        assert.equal(fs.readFileSync(file, 'utf8'), text, 'the file is kept as it was');
      }
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });

  it('refuses bad counts and a half-made lab folder with a way out', () => {
    const bad = vact(['lab', '--dir', dir, '--once', '--agents', 'lots']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--agents must be a whole number/);
    const tooMany = vact(['lab', '--dir', dir, '--once', '--servers', '99']);
    assert.equal(tooMany.status, 2);
    assert.match(tooMany.stderr, /--servers must be a whole number from 0 to 10/);
    fs.mkdirSync(path.join(dir, 'authority'));
    const half = vact(['lab', '--dir', dir, '--once']);
    assert.equal(half.status, 5);
    assert.match(half.stderr, /half-made .* `vact lab reset --dir /);
  });
  });
});
