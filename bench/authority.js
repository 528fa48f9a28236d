#!/usr/bin/env node
// Benchmark: MAK activations per second against a real `vact authority serve` process, at
// concurrency 1 and 32, on SQLite and on PostgreSQL (a throwaway server from the test
// fixture), with p50/p99 latency. Prints one line per run. Needs `npx tsc -b` first.
//
//   node bench/authority.js [--seconds 5] [--backends sqlite,postgres] [--concurrency 1,32] [--sqlite-sync full|normal]
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { performance } = require('node:perf_hooks');

const ROOT = path.resolve(__dirname, '..');
const VACT = path.join(ROOT, 'agent', 'bin', 'vact.js');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}
const SECONDS = Number(arg('seconds', '5'));
const BACKENDS = arg('backends', 'sqlite,postgres').split(',');
const CONCURRENCY = arg('concurrency', '1,32').split(',').map(Number);
const SQLITE_SYNC = arg('sqlite-sync', 'full');

function startServe(dir, extra) {
  const child = spawn(process.execPath, [VACT, 'authority', 'serve', '--dir', dir, '--listen', '127.0.0.1:0', '--rate-limit', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) {
        // Keep draining the request log so the server never blocks on a full pipe.
        child.stdout.off('data', onData);
        child.stdout.on('data', () => undefined);
        resolve({ child, url: JSON.parse(line).url });
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function request(agent, url, method, p, body, token) {
  const payload = body ? Buffer.from(JSON.stringify(body)) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(p, url), {
      method, agent,
      headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function run(url, token, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const issued = await request(agent, url, 'POST', '/v1/keys', { type: 'mak', group: 'client-vl', limit: 1_000_000_000 }, token);
  if (issued.status !== 201) throw new Error(`issue failed: ${JSON.stringify(issued.body)}`);
  const key = issued.body.key;
  const latencies = [];
  let errors = 0;
  let measuring = false;
  let done = false;
  const worker = async () => {
    while (!done) {
      const body = { key, cmid: randomBytes(16).toString('hex'), hardwareHash: randomBytes(16).toString('hex'), edition: 'client-enterprise', nonce: randomBytes(16).toString('hex') };
      const t0 = performance.now();
      const r = await request(agent, url, 'POST', '/v1/activate/mak', body);
      const ms = performance.now() - t0;
      if (!measuring) continue;
      if (r.status === 200) latencies.push(ms); else errors++;
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  done = true;
  await Promise.all(workers);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN;
  return { rate: latencies.length / elapsed, p50: pct(50), p99: pct(99), n: latencies.length, errors };
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'authority', 'dist', 'index.js'))) throw new Error('build first: npx tsc -b');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-bench-'));
  let pg;
  try {
    const dir = path.join(tmp, 'authority');
    const init = spawnSync(process.execPath, [VACT, 'authority', 'init', '--dir', dir, '--json'], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(init.stderr);
    const token = fs.readFileSync(path.join(dir, 'admin.token'), 'utf8').trim();
    for (const backend of BACKENDS) {
      let extra;
      if (backend === 'sqlite') extra = ['--sqlite-sync', SQLITE_SYNC];
      else if (backend === 'postgres') {
        const { startPostgres } = require(path.join(ROOT, 'test', 'dist', 'fixtures', 'postgres.js'));
        pg = await startPostgres();
        extra = ['--db', await pg.createDatabase('vact_bench')];
      } else throw new Error(`unknown backend ${backend}`);
      const { child, url } = await startServe(dir, extra);
      try {
        for (const c of CONCURRENCY) {
          const r = await run(url, token, c);
          const label = backend === 'sqlite' ? `sqlite(sync=${SQLITE_SYNC})` : 'postgres';
          console.log(`authority MAK activations ${label} concurrency=${c}: ${r.rate.toFixed(0)}/s p50=${r.p50.toFixed(2)}ms p99=${r.p99.toFixed(2)}ms (n=${r.n}, errors=${r.errors}, ${os.cpus().length} cores, node ${process.version})`);
        }
      } finally {
        await stop(child);
      }
      if (pg) { await pg.stop(); pg = undefined; }
    }
  } finally {
    if (pg) await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
