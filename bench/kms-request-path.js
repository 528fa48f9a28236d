#!/usr/bin/env node
'use strict';
// The KMS host's request path without sockets: decode a request frame, decide (count, client
// register), sign the activated tickets in batches, encode the response — in a loop, keeping
// nothing but the host's state. Runs itself under V8's GC trace (--trace-gc-nvp, with the
// daemon's node flags) and prints what a request allocates and what of it V8 promotes to the
// old generation in the steady state (the second half of the scavenges: the first ones promote
// the loaded modules). Requests cycle over 512 distinct machines, so the count sits at its cap of
// 50 and entries keep leaving it, as in a renewal storm. Goal: nothing promoted that the host does
// not keep (docs/architecture.md, "No spread copies"): at most its count entry and client record
// of each request (~250 bytes with their strings; Node 24 promotes them at their first scavenge).
// Usage: npx tsc -b && node bench/kms-request-path.js [--requests 200000] [--batch 7]
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const REQUESTS = Number(arg('--requests', '200000'));
const BATCH = Number(arg('--batch', '7'));

/** The loop itself (the child, under the GC trace). */
function run() {
  const shared = { ...require('@vact/shared'), ...require('@vact/shared/kms') };
  const { certificate: cert, signer, implementation } = require('./kms-bench-host').benchHostIdentity();
  const now = Date.now();
  const catalogue = shared.referenceCatalogue();
  const frames = Array.from({ length: 512 }, (_, i) => shared.encodeKmsRequest({
    cmid: crypto.randomBytes(16).toString('hex'), nonce: crypto.randomBytes(16).toString('hex'), clientTime: now, edition: 'client-professional', vm: false,
    licenseStatus: 'Licensed', remainingGraceMinutes: 0, machineName: `pc-${i}`, hardwareHash: crypto.randomBytes(16).toString('hex'), batchTickets: true,
  }));
  let state = { count: shared.emptyHostCount(), clients: new Map() };
  let bytes = 0;
  let signed = 0;
  for (let i = 0; i < REQUESTS; i += BATCH) {
    const ready = [];
    for (let j = 0; j < BATCH; j++) {
      const m = shared.decodeKmsFrame(frames[(i + j) % frames.length], ['request']);
      const d = shared.decideKmsRequest(state, m.request, {
        catalogue, now: Date.now(), hostLicensed: true, certificate: cert, activationIntervalMinutes: 120, renewalIntervalMinutes: 10_080, sourceAddress: '10.0.0.1',
      });
      state = d.state;
      if (d.toSign) ready.push(d);
      else bytes += shared.encodeKmsResponse(d.reply.response).length;
    }
    if (ready.length === 0) continue;
    // As the host service does: the ticket goes into the handler's own response.
    const tickets = signer.signBatch(ready.map((d) => d.toSign));
    ready.forEach((d, k) => {
      d.reply.response.ticket = tickets[k];
      bytes += shared.encodeKmsResponse(d.reply.response).length;
    });
    signed += ready.length;
  }
  process.stderr.write(`${JSON.stringify({ requests: REQUESTS, signed, bytes, signer: implementation })}\n`);
}

function main() {
  const { DAEMON_NODE_FLAGS } = require('../agent/dist/service/daemon-environment');
  const child = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, '--trace-gc-nvp', __filename, '--run', '--requests', String(REQUESTS), '--batch', String(BATCH)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (child.status !== 0) {
    process.stderr.write(child.stderr);
    throw new Error(`the loop exited ${child.status}`);
  }
  const result = JSON.parse(child.stderr.trim().split('\n').pop());
  const scavenges = [];
  let majors = 0;
  for (const line of child.stdout.split('\n')) {
    const gc = /\bgc=(\w+)/.exec(line)?.[1];
    if (gc === 'mc' || gc === 'mmc') majors++;
    if (gc !== 's') continue;
    const field = (name) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(line)?.[1] ?? NaN);
    // Node 20's V8 names the heap's size total_size_*, Node 24's start_/end_object_size.
    const before = field('total_size_before');
    scavenges.push({ promoted: field('promoted'), before: Number.isNaN(before) ? field('start_object_size') : before, after: Number.isNaN(before) ? field('end_object_size') : field('total_size_after') });
  }
  const steady = scavenges.slice(Math.floor(scavenges.length / 2));
  const mean = (f) => steady.reduce((a, s) => a + f(s), 0) / Math.max(1, steady.length);
  const perScavenge = REQUESTS / Math.max(1, scavenges.length);
  const promotedPerRequest = mean((s) => s.promoted) / perScavenge;
  const freedPerRequest = mean((s) => s.before - s.after) / perScavenge;
  console.log(`kms-request-path (Node ${process.version}, ${DAEMON_NODE_FLAGS.join(' ')}, signs with ${result.signer}, batches of ${BATCH}): ${REQUESTS} requests, ${result.signed} signed; `
    + `${scavenges.length} scavenges (${perScavenge.toFixed(0)} requests each), ${majors} major GCs; steady state: ${freedPerRequest.toFixed(0)} bytes a request freed by scavenges, `
    + `${promotedPerRequest.toFixed(1)} bytes a request promoted to the old generation (goal: at most the ~250 bytes the host keeps)`);
}

if (process.argv[2] === '--run') run();
else main();
