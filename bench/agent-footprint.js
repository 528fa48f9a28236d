#!/usr/bin/env node
'use strict';
// Agent footprint benchmark: idle RSS after start (and its private part), startup time to the
// first answered `status` (restarts, hardware hash cached in the state: the median and the best of
// --starts N, since other work on the machine makes one sample noisy), and wakeups per idle hour.
// Goals: RSS <= 60 MB, private memory <= 16 MB, startup <= 300 ms, no polling while idle.
// The agent runs as `vact agent install`'s unit starts it (DAEMON_NODE_FLAGS and DAEMON_ENVIRONMENT:
// --max-semi-space-size=2, MALLOC_ARENA_MAX=2); --plain runs it without, as a bare
// `node vact.js agent run` would.
// Prints one line of results. Usage: npm run build && node bench/agent-footprint.js [--idle-seconds N] [--starts N] [--plain]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const WebSocket = require('ws');

const VACT = path.join(__dirname, '..', 'agent', 'bin', 'vact.js');
const flag = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) || dflt : dflt);
const idleSeconds = flag('--idle-seconds', 10);
const starts = flag('--starts', 5);
const plain = process.argv.includes('--plain');
const { DAEMON_ENVIRONMENT, DAEMON_NODE_FLAGS } = require('../agent/dist/service/daemon-environment.js');
const nodeFlags = plain ? [] : DAEMON_NODE_FLAGS;
const agentEnv = plain ? process.env : { ...process.env, ...DAEMON_ENVIRONMENT };

function publicKeyBase64() {
  const { publicKey } = crypto.generateKeyPairSync('ed25519');
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
}

function startAgent(args) {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeFlags, VACT, 'agent', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: agentEnv });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], t0 });
    });
    child.once('exit', (code) => reject(new Error(`agent exited ${code}: ${err}`)));
  });
}

function rpc(url, token, calls) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    const results = [];
    let id = 0;
    const next = () => {
      if (id === calls.length) { ws.close(); resolve(results); return; }
      const [method, params] = calls[id];
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params || {} }));
    };
    ws.on('open', next);
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.id === undefined) return;
      if (msg.error) { ws.close(); reject(new Error(JSON.stringify(msg.error))); return; }
      results.push(msg.result);
      next();
    });
    ws.on('error', reject);
  });
}

function procStatus(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number((new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text) || [])[1] || 0);
  return { rssKb: field('VmRSS'), anonKb: field('RssAnon'), fileKb: field('RssFile'), switches: field('voluntary_ctxt_switches') + field('nonvoluntary_ctxt_switches') };
}

function stop(child) {
  return new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-footprint-'));
  try {
    const keyFile = path.join(dir, 'authority.pub');
    fs.writeFileSync(keyFile, publicKeyBase64());
    const args = ['--state-dir', path.join(dir, 'state'), '--edition', 'client-enterprise', '--authority', 'http://127.0.0.1:9',
      '--authority-key', keyFile, '--control', '127.0.0.1:0', '--log-level', 'warn'];
    // First start computes the hardware hash and writes the state.
    const first = await startAgent(args);
    const scanIds = { eventIds: [12408, 12409, 12415], limit: 1000 };
    const token0 = fs.readFileSync(path.join(dir, 'state', 'admin.token'), 'utf8').trim();
    const [, scansBefore] = await rpc(first.url, token0, [['handshake', { protocol: 1 }], ['events.query', scanIds]]);
    await stop(first.child);

    const token = fs.readFileSync(path.join(dir, 'state', 'admin.token'), 'utf8').trim();
    const startupTimes = [];
    for (let i = 1; i < starts; i++) {
      const restart = await startAgent(args);
      await rpc(restart.url, token, [['handshake', { protocol: 1 }], ['status', {}]]);
      startupTimes.push(Number(process.hrtime.bigint() - restart.t0) / 1e6);
      await stop(restart.child);
    }
    // The last restart stays up for the idle measurement.
    const { child, url, t0 } = await startAgent(args);
    await rpc(url, token, [['handshake', { protocol: 1 }], ['status', {}]]);
    startupTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    startupTimes.sort((x, y) => x - y);
    const startupMedian = startupTimes[Math.floor((startupTimes.length - 1) / 2)];

    // Idle means after the background hardware scan a restart starts: wait until it is logged.
    for (let i = 0; ; i++) {
      const [, scans] = await rpc(url, token, [['handshake', { protocol: 1 }], ['events.query', scanIds]]);
      if (scans.events.length > scansBefore.events.length) break;
      if (i > 300) throw new Error('the background hardware scan was never logged');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Then wait until the process is quiet: the probe process and the last connection are done,
    // and V8's memory reducer (a GC some seconds after activity stops) has run: no context
    // switch for 12 s in a row, 90 s at most.
    for (let quiet = 0, last = procStatus(child.pid).switches, i = 0; quiet < 12 && i < 90; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = procStatus(child.pid).switches;
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
    const a = procStatus(child.pid);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const b = procStatus(child.pid);
    const osWakeupsPerHour = Math.round(((b.switches - a.switches) / idleSeconds) * 3600);
    await stop(child);

    // Lifecycle wakes in an idle hour, counted on a simulated clock over a day.
    const sim = await startAgent([...args.map((x) => (x === path.join(dir, 'state') ? path.join(dir, 'sim') : x)), '--clock', 'sim']);
    const simToken = fs.readFileSync(path.join(dir, 'sim', 'admin.token'), 'utf8').trim();
    const [, before, , after] = await rpc(sim.url, simToken, [
      ['handshake', { protocol: 1 }], ['events.query', { limit: 1000 }], ['clock.advance', { ms: 86_400_000 }], ['events.query', { limit: 1000 }],
    ]);
    await stop(sim.child);
    const lifecycleEvents = after.events.length - before.events.length;

    const rssMb = (a.rssKb / 1024).toFixed(1);
    const envText = plain ? 'plain node' : `as the service runs it: ${[...DAEMON_NODE_FLAGS, ...Object.entries(DAEMON_ENVIRONMENT).map(([k, v]) => `${k}=${v}`)].join(' ')}`;
    console.log(`agent-footprint (${envText}): idle RSS ${rssMb} MB (goal <= 60; of which private/anonymous ${(a.anonKb / 1024).toFixed(1)} MB (goal <= 16), file-backed ${(a.fileKb / 1024).toFixed(1)} MB mostly the node binary shared with other node processes), `
      + `startup to first status ${startupMedian.toFixed(0)} ms median, ${startupTimes[0].toFixed(0)} ms best of ${startupTimes.length} restarts (goal <= 300, cached hardware hash), `
      + `idle process wakeups ${osWakeupsPerHour}/h (over ${idleSeconds} s), lifecycle events in a simulated idle day ${lifecycleEvents} (${(lifecycleEvents / 24).toFixed(1)}/h; KMS retry every 2 h + daily reminder)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(`agent-footprint: ${err.stack || err}`); process.exitCode = 1; });
