// `/metrics` scraped for real from a `vact agent run` KMS host (docs/kms.md, "Metrics"): requests
// by result, refused connections, count, cache size, the latency histogram, the license status;
// and an agent without --metrics-listen never loads prom-client.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ProcessGroup, freePort } from '../fixtures/processes';
import { issueKey, startAuthority } from '../authority/authority-harness';
import { LabAgent, rawRequest } from './kms-lab';

const EDITION = 'server-standard';

/** The value of one sample line (`name{labels} value`) in a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('KMS host /metrics (real scrape)', function () {
  this.timeout(120_000);
  const group = new ProcessGroup();
  after(() => group.dispose());

  it('exposes requests by result, refusals, count, cache size, latency and status in Prometheus text format', async () => {
    const authority = await startAuthority(group);
    const keyFile = `${authority.dir}/authority-root.pub`;
    const metricsPort = await freePort();
    const host = new LabAgent(group, 'metricshost', 'server-enterprise', { url: authority.url, keyFile }, ['--kms-listen', `127.0.0.1:${await freePort()}`, '--metrics-listen', `127.0.0.1:${metricsPort}`]);
    await host.start();
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const before = await fetch(url);
    assert.equal(before.status, 200);
    assert.match(before.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const t0 = await before.text();
    assert.equal(sample(t0, 'vact_license_status{status="InitialGrace"}'), 1, 'a fresh volume edition is in initial grace');
    assert.equal(sample(t0, 'vact_kms_host_count'), 0);

    await host.json(['key', 'install', await issueKey(authority, 'kms-host', 'server-b')]);
    const port = await host.kmsPort();
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await rawRequest('127.0.0.1', port, EDITION, Date.now());
      results.push(r.type === 'response' ? (r.response.activated ? 'activated' : 'below-threshold') : String(r.error.code));
    }
    assert.deepEqual(results, ['below-threshold', 'below-threshold', 'below-threshold', 'below-threshold', 'activated', 'activated']);
    assert.equal((await rawRequest('127.0.0.1', port, EDITION, Date.now() - 5 * 3_600_000)).type, 'error', 'a clock 5 hours off is refused');
    // Garbage on the KMS port: a malformed connection, counted by reason.
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.from('GET / HTTP/1.1\r\n\r\n')));
      s.on('data', () => undefined);
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });

    const text = await (await fetch(url)).text();
    assert.equal(sample(text, 'vact_kms_host_requests_total{result="below-threshold"}'), 4);
    assert.equal(sample(text, 'vact_kms_host_requests_total{result="activated"}'), 2);
    assert.equal(sample(text, 'vact_kms_host_requests_total{result="clock-skew"}'), 1);
    assert.equal(sample(text, 'vact_kms_host_connections_refused_total{reason="malformed"}'), 1);
    assert.equal(sample(text, 'vact_kms_host_count'), 6);
    assert.equal(sample(text, 'vact_kms_host_cache_size'), 10);
    assert.equal(sample(text, 'vact_kms_host_listening'), 1);
    assert.equal(sample(text, 'vact_kms_host_request_duration_seconds_count'), 7);
    assert.equal(sample(text, 'vact_kms_host_request_duration_seconds_bucket{le="+Inf"}'), 7);
    assert.ok((sample(text, 'vact_kms_host_request_duration_seconds_sum') ?? -1) > 0);
    assert.equal(sample(text, 'vact_license_status{status="Licensed"}'), 1);
    assert.match(text, /# TYPE vact_kms_host_request_duration_seconds histogram/);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status, 404);
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
    await host.stop();
  });

  it('an agent without --metrics-listen never loads prom-client; one with it does', async () => {
    const authority = await startAuthority(group);
    const keyFile = path.join(authority.dir, 'authority-root.pub');
    const dir = group.tempDir('vact-metrics-lazy-');
    const probe = path.join(dir, 'probe.cjs');
    // Preloaded into the agent: writes, every 50 ms, whether any prom-client module is loaded.
    fs.writeFileSync(probe, [
      "const fs = require('fs'); const sep = require('path').sep;",
      "setInterval(() => fs.writeFileSync(process.env.PROBE_OUT, String(Object.keys(require.cache).some((k) => k.includes(sep + 'prom-client' + sep)))), 50).unref();",
    ].join('\n'));
    const loaded = async (extra: string[], name: string): Promise<string> => {
      const hw = path.join(dir, `${name}.json`);
      const out = path.join(dir, `${name}.loaded`);
      fs.writeFileSync(hw, JSON.stringify({ board: name, system: name, cpu: 'c', mem: 1, disks: [name], macs: ['02:00:00:00:00:09'], machineId: name }));
      const p = group.vact(['agent', 'run', '--state-dir', path.join(dir, name), '--edition', EDITION, '--authority', authority.url, '--authority-key', keyFile,
        '--control', '127.0.0.1:0', '--hardware', `file:${hw}`, ...extra], { name, env: { NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out } });
      await p.waitForOutput(/vact agent listening on/, 30_000);
      fs.rmSync(out, { force: true });
      let seen = '';
      for (let i = 0; i < 100 && seen === ''; i++) {
        await new Promise((r) => setTimeout(r, 50));
        seen = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
      }
      await p.stop();
      return seen;
    };
    assert.equal(await loaded([], 'plain'), 'false');
    assert.equal(await loaded(['--metrics-listen', `127.0.0.1:${await freePort()}`], 'withmetrics'), 'true');
  });
});
