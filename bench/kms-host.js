#!/usr/bin/env node
'use strict';
// KMS host benchmark: a renewal storm against a real KMS host process (listener + handler +
// count store, every activated response signed with Ed25519), and in the same run a bare Node TCP
// echo server (250 bytes back, one connection per request) as the ceiling. N virtual clients with
// distinct CMIDs, one TCP connection per request as real clients do, at concurrency 1, 64 and 256.
// Prints requests/s, p50/p99, the ratio to the echo ceiling, and the host's RSS. The host runs with
// the node flags and environment of the agent's service unit (DAEMON_NODE_FLAGS, DAEMON_ENVIRONMENT),
// the echo ceiling with none.
// Goal on 2 cores: >= 0.8x echo at c=64, p99 <= 20 ms, RSS <= 80 MB, no loss of count.
// The load comes from separate generator processes (--generators, 2 by default), for the echo ceiling
// and the host alike, so the ratio measures the servers, not one busy generator; every level runs
// --runs times (3 by default), reporting the median and the best run.
// The host signs with the Ed25519 the agent's host role picks (libsodium when the optional sodium-native is
// installed); VACT_KMS_SIGNER=node measures it on node:crypto.
// The clients take batch-signed tickets, as vact agents do (one signature per batch of tickets answered
// together); --plain-tickets measures clients that ask for one signature each. KMS_BENCH_FLAGS="…" runs
// the host with other node flags than the unit's (to measure them), KMS_BENCH_PROF=1 writes a CPU profile.
// The host's RSS is printed right after the storms, at its peak (VmHWM, on Linux) and, with --settle S,
// S seconds later (V8 gives memory back a few seconds after a storm).
// Usage: npx tsc -b && node bench/kms-host.js [--seconds 3] [--concurrency 1,64,256] [--runs 3] [--generators 2] [--plain-tickets] [--settle 0]
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const SECONDS = Number(arg('--seconds', '3'));
const LEVELS = arg('--concurrency', '1,64,256').split(',').map(Number);
const RUNS = Number(arg('--runs', '3'));
const GENERATORS = Number(arg('--generators', '2'));
const SETTLE = Number(arg('--settle', '0'));
// Clients that take batch-signed tickets (as vact agents do); --plain-tickets asks for one signature per ticket.
const BATCH_TICKETS = !process.argv.includes('--plain-tickets');
const HOST = '127.0.0.1';
const { DAEMON_NODE_FLAGS, DAEMON_ENVIRONMENT } = require('../agent/dist/service/daemon-environment');
const { benchHostIdentity } = require('./kms-bench-host');
// The host's node flags: the unit's, or KMS_BENCH_FLAGS to measure others (the result line says which).
const HOST_FLAGS = process.env.KMS_BENCH_FLAGS ? process.env.KMS_BENCH_FLAGS.split(' ').filter(Boolean) : DAEMON_NODE_FLAGS;

// ---- child modes: the servers under test ----
async function serveHost() {
  const shared = { ...require('@vact/shared'), ...require('@vact/shared/node') };
  const { KmsHostService } = require('../agent/dist/kms/index');
  const { certificate, signer, implementation } = benchHostIdentity();
  const self = { licensed: true, certificate, signer, activationIntervalMinutes: 120, renewalIntervalMinutes: 10_080 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-kms-bench-'));
  const svc = new KmsHostService({
    clock: new shared.SystemClock(), catalogue: shared.referenceCatalogue(), stateFile: path.join(dir, 'kms-host.json'), self: () => self,
    listen: { host: HOST, port: 0 }, listener: { maxConnections: 1024 },
  });
  const { port } = await svc.start();
  process.stdout.write(JSON.stringify({ port }) + '\n');
  commands(() => ({ ...svc.status(), signer: implementation, ...memory(), cpu: process.cpuUsage() }), () => { void svc.stop().then(() => { fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); }); });
}

function memory() {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

function serveEcho() {
  const reply = Buffer.alloc(250, 0x41);
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end(reply));
  });
  server.listen(0, HOST, () => {
    process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
    commands(() => ({ rss: process.memoryUsage().rss, cpu: process.cpuUsage() }), () => process.exit(0));
  });
}

function commands(status, quit) {
  let buf = '';
  process.stdin.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0;) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line === 'status') process.stdout.write(JSON.stringify(status()) + '\n');
      if (line === 'quit') quit();
    }
  });
  process.stdin.on('end', quit);
}

// ---- the parent: the load generator ----
function start(mode) {
  // The host runs with the node flags and environment the agent's service unit gives the daemon; the echo ceiling is bare node.
  const flags = mode === 'host' ? [...HOST_FLAGS, ...(process.env.KMS_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/kmsprof'] : [])] : [];
  const env = mode === 'host' ? { ...process.env, ...DAEMON_ENVIRONMENT } : process.env;
  const child = spawn(process.execPath, [...flags, __filename, '--serve', mode], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = [];
  let waiting = null;
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0;) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      // What is not the child's answer (e.g. KMS_BENCH_FLAGS=--trace-gc) goes to stderr.
      if (!line.startsWith('{')) { process.stderr.write(line + '\n'); continue; }
      lines.push(JSON.parse(line));
      if (waiting) { const w = waiting; waiting = null; w(lines.shift()); }
    }
  });
  const next = () => new Promise((resolve) => { if (lines.length) resolve(lines.shift()); else waiting = resolve; });
  return {
    child, next,
    status: () => { child.stdin.write('status\n'); return next(); },
    quit: () => new Promise((resolve) => { child.once('exit', resolve); child.stdin.end('quit\n'); }),
  };
}

let cmidSeq = 0;
function requestFrame(encodeKmsRequest) {
  const id = crypto.randomBytes(16).toString('hex');
  cmidSeq++;
  return Buffer.from(encodeKmsRequest({
    cmid: id, nonce: crypto.randomBytes(16).toString('hex'), clientTime: Date.now(), edition: 'client-professional', vm: false,
    licenseStatus: 'Licensed', remainingGraceMinutes: 0, machineName: `pc-${cmidSeq}`, hardwareHash: 'fedcba9876543210fedcba9876543210', batchTickets: BATCH_TICKETS,
  }));
}

function oneRequest(port, bytes) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host: HOST, port, noDelay: true });
    let n = 0;
    s.on('connect', () => s.write(bytes));
    s.on('data', (d) => { n += d.length; });
    s.on('error', () => undefined);
    s.on('close', () => resolve({ ok: n > 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
  });
}

async function loadHere(port, concurrency, seconds, frames) {
  const lat = [];
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const MAX_REQUESTS = 2_000_000; // bounded in count as well as time
  let sent = 0;
  const worker = async () => {
    while (Date.now() < end && sent < MAX_REQUESTS) {
      sent++;
      const r = await oneRequest(port, frames());
      if (r.ok) lat.push(r.ms); else failed++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { lat, failed, elapsed: (Date.now() - t0) / 1000 };
}

/** A generator process: `--generate PORT CONCURRENCY SECONDS`, prints its latencies as JSON. */
async function generate() {
  const { encodeKmsRequest } = require('@vact/shared');
  const [port, c, secs] = process.argv.slice(3).map(Number);
  const c0 = process.cpuUsage();
  const r = await loadHere(port, c, secs, () => requestFrame(encodeKmsRequest));
  const c1 = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ ...r, cpuUs: c1.user + c1.system }));
}

/** One measurement: the concurrency split over GENERATORS processes, their latencies merged. */
async function load(port, concurrency, seconds) {
  const n = Math.min(GENERATORS, concurrency);
  const parts = await Promise.all(Array.from({ length: n }, (_, i) => new Promise((resolve, reject) => {
    const c = Math.floor(concurrency / n) + (i < concurrency % n ? 1 : 0);
    const child = spawn(process.execPath, [__filename, '--generate', String(port), String(c), String(seconds), ...(BATCH_TICKETS ? [] : ['--plain-tickets'])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`generator exited ${code}`))));
  })));
  const lat = parts.flatMap((p) => p.lat).sort((a, b) => a - b);
  const elapsed = Math.max(...parts.map((p) => p.elapsed));
  const q = (p) => lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN;
  return { rps: lat.length / elapsed, p50: q(0.5), p99: q(0.99), failed: parts.reduce((a, p) => a + p.failed, 0), n: lat.length, genUs: parts.reduce((a, p) => a + p.cpuUs, 0) / Math.max(1, lat.length) };
}

/** Peak RSS of a child process in bytes (Linux's VmHWM), or undefined where /proc has none. */
function peakRss(child) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

async function main() {
  const { encodeKmsRequest, decodeKmsFrame } = require('@vact/shared');
  const frames = () => requestFrame(encodeKmsRequest);
  const echo = start('echo');
  const host = start('host');
  const echoPort = (await echo.next()).port;
  const hostPort = (await host.next()).port;
  // Warm-up: 60 distinct machines, so the count is at its cap (50) and every response is signed.
  for (let i = 0; i < 60; i++) await oneRequest(hostPort, frames());
  const probe = await new Promise((resolve) => {
    const s = net.connect({ host: HOST, port: hostPort });
    const chunks = [];
    s.on('connect', () => s.write(frames()));
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => resolve(decodeKmsFrame(new Uint8Array(Buffer.concat(chunks)))));
  });
  if (probe.type !== 'response' || !probe.response.activated || !probe.response.ticket) throw new Error(`the host did not sign: ${JSON.stringify(probe)}`);
  const idle = await host.status();
  const rows = [];
  for (const c of LEVELS) {
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      // CPU time each server spent per answered request: a measure of the server alone, whatever else loads the machine.
      const cpuOf = (a, b) => (b.cpu.user + b.cpu.system) - (a.cpu.user + a.cpu.system);
      const e0 = await echo.status();
      const e = await load(echoPort, c, SECONDS);
      e.cpuUs = cpuOf(e0, await echo.status()) / e.n;
      const h0 = await host.status();
      const h = await load(hostPort, c, SECONDS);
      h.cpuUs = cpuOf(h0, await host.status()) / h.n;
      runs.push({ e, h, ratio: h.rps / e.rps });
    }
    rows.push({ c, runs });
  }
  const st = await host.status();
  const er = await echo.status();
  const peaks = { host: peakRss(host.child), echo: peakRss(echo.child) };
  let settled;
  if (SETTLE > 0) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE * 1000));
    settled = await host.status();
  }
  await Promise.all([echo.quit(), host.quit()]);
  const f = (x) => x.toFixed(x < 10 ? 2 : 0);
  const one = ({ e, h, ratio }) => `host ${f(h.rps)}/s p50 ${f(h.p50)} ms p99 ${f(h.p99)} ms (failed ${h.failed}) | echo ${f(e.rps)}/s p50 ${f(e.p50)} ms p99 ${f(e.p99)} ms | ratio ${ratio.toFixed(2)}`;
  const cpu = (runs) => `server CPU per request: host ${median(runs.map((r) => r.h.cpuUs)).toFixed(0)} µs, echo ${median(runs.map((r) => r.e.cpuUs)).toFixed(0)} µs (load generators ${median(runs.map((r) => r.h.genUs)).toFixed(0)} / ${median(runs.map((r) => r.e.genUs)).toFixed(0)} µs)`;
  const parts = rows.map(({ c, runs }) => {
    const best = runs.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const m = (get) => median(runs.map(get));
    return `c=${c} (${runs.length} runs): median host ${f(m((r) => r.h.rps))}/s p99 ${f(m((r) => r.h.p99))} ms, echo ${f(m((r) => r.e.rps))}/s, ratio ${m((r) => r.ratio).toFixed(2)}, ${cpu(runs)}; best ${one(best)}`;
  });
  const sig = st.signing;
  const signing = `${sig.tickets} tickets under ${sig.signatures} signatures (${(sig.tickets / Math.max(1, sig.signatures)).toFixed(1)} a signature, largest batch ${sig.largestBatch}; clients ${BATCH_TICKETS ? 'take batch tickets' : 'ask for plain tickets'})`;
  const countOk = st.count === st.cacheSize && st.cacheSize === 50;
  const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
  const peak = (bytes) => (bytes === undefined ? '' : `, peak ${mb(bytes)}`);
  const memoryText = `host RSS ${mb(st.rss)} after the storm${peak(peaks.host)} (V8 heap used ${mb(st.heapUsed)}), ${mb(idle.rss)} before it (heap ${mb(idle.heapUsed)})`
    + `${settled ? `, ${mb(settled.rss)} ${SETTLE} s after it (heap ${mb(settled.heapUsed)})` : ''} (echo ${mb(er.rss)}${peak(peaks.echo)})`;
  console.log(`kms-host (Node ${process.version}, ${os.cpus().length} cores, ${SECONDS}s each, ${GENERATORS} generator processes, host signs with ${st.signer}, runs with ${[...HOST_FLAGS, ...Object.entries(DAEMON_ENVIRONMENT).map(([k, v]) => `${k}=${v}`)].join(' ') || 'bare node'}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}): ${parts.join('; ')}; ${memoryText}; count ${st.count}/${st.cacheSize} ${countOk ? 'kept' : 'LOST'}; ${signing}; requests ${st.requests.total}, refused ${JSON.stringify(st.requests.refused)}`);
}

if (process.argv[2] === '--generate') {
  generate().catch((err) => { console.error(err); process.exit(1); });
} else if (process.argv[2] === '--serve') {
  if (process.argv[3] === 'host') void serveHost();
  else serveEcho();
} else {
  main().catch((err) => { console.error(err); process.exit(1); });
}
