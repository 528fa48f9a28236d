// The KMS host count survives kill -9 of a real host process (at most the last second is lost).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SystemClock } from '@vact/shared/node';
import { kmsExchange, loadHostState } from '@vact/agent/kms';
import { request } from './kms-host-fixture';

describe('KMS host count durability', function () {
  this.timeout(20_000);
  const clock = new SystemClock();
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-kmskill-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function startHost(stateFile: string) {
    const child = spawn(process.execPath, [path.join(__dirname, 'host-process.js'), stateFile, '127.0.0.71'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`host exited ${code}`)));
    });
    return { child, port };
  }

  it('after kill -9 the restarted host still counts every machine that asked before the last write', async () => {
    const file = path.join(dir, 'kms-host.json');
    const a = startHost(file);
    const port = await a.port;
    for (let i = 0; i < 4; i++) await kmsExchange({ host: '127.0.0.71', port }, request('server-standard', clock.now()), { clock });
    // The batched write lands within a second; wait for it by reading the file (bounded), not by sleeping a fixed time.
    for (let i = 0; i < 100 && (!fs.existsSync(file) || loadHostState(file).count.entries.length < 4); i++) await new Promise((r) => setTimeout(r, 50));
    const exited = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGKILL');
    await exited;
    assert.equal(loadHostState(file).count.entries.length, 4);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left by a finished write');
    const b = startHost(file);
    const port2 = await b.port;
    const r = await kmsExchange({ host: '127.0.0.71', port: port2 }, request('server-standard', clock.now()), { clock });
    assert.ok(r.type === 'response' && r.response.count === 5 && r.response.activated);
    b.child.kill('SIGKILL');
  });
});
