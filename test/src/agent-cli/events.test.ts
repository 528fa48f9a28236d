// `vact events` against a real agent: --id, --level, --limit, newest last, repeated identical
// failures folded into one line, --follow streaming from the control API; events --json and
// events.jsonl carry the same fields; enums in any case (`--type MAK`, `--level WARN`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentEvent } from '@vact/shared';
import { SigningAuthority, makKey, useDaemonBench } from '../agent-daemon/daemon-harness';
import { ProcessGroup, VACT_BIN, parseJsonOutput } from '../fixtures/processes';
import { startAuthority } from '../authority/authority-harness';
import { vact } from './cli-runner';

describe('vact events (real processes)', function () {
  this.timeout(90_000);
  let stateDir: string;
  let authority: SigningAuthority;
  useDaemonBench('vact-events-', (b) => ({ stateDir, authority } = b), { once: true, agentClock: 'sim:2026-11-27T00:00:00Z' });

  before(async () => {
    // The authority goes away: the MAK's activation fails now and on every retry.
    await authority.stop();
    assert.equal((await cli(['key', 'install', makKey(31)])).code, 4);
    assert.equal((await cli(['clock', 'advance', '31h'])).code, 0);
  });

  function cli(args: string[]) {
    return vact([...args, '--state-dir', stateDir]);
  }
  async function events(args: string[] = []): Promise<AgentEvent[]> {
    const r = await cli(['events', '--json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { events: AgentEvent[] }).events;
  }

  it('folds repeated identical failures into one line with a count; --json keeps each event', async () => {
    const all = await events();
    const failures = all.filter((e) => e.eventId === 12404 && e.message.startsWith('MAK activation failed'));
    assert.ok(failures.length >= 4, `retries backing off over 31 h: ${failures.length} failures`);
    assert.ok(failures.every((f) => f.message === failures[0].message));
    const r = await cli(['events']);
    const lines = r.stdout.trim().split('\n').filter((l) => /\s12404\s.*MAK activation failed/.test(l));
    // Runs of retries fold (a daily reminder between them starts a new run): fewer lines, every failure counted.
    const counted = lines.reduce((n, l) => n + Number(/\(×(\d+), last \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\)$/.exec(l)?.[1] ?? 1), 0);
    assert.equal(counted, failures.length, r.stdout);
    assert.ok(lines.length < failures.length, r.stdout);
    assert.ok(r.stdout.split('\n').filter((l) => /\s12288\s.*MAK activation request/.test(l)).length < failures.length, 'the request of each retry folds with it');
    const times = all.map((e) => Date.parse(e.time));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'newest last');
  });

  it('--id, --level (any case), --limit', async () => {
    const ids = await events(['--id', '12288,12404']);
    assert.ok(ids.length > 0 && ids.every((e) => e.eventId === 12288 || e.eventId === 12404));
    assert.ok(ids.some((e) => e.eventId === 12288) && ids.some((e) => e.eventId === 12404));
    const warn = await events(['--level', 'WARN']);
    assert.ok(warn.length > 0 && warn.every((e) => e.level === 'warning' || e.level === 'error'));
    assert.ok((await events(['--level', 'error'])).every((e) => e.level === 'error'));
    const all = await events(['--limit', '1000']);
    const two = await events(['--limit', '2']);
    assert.deepEqual(two, all.slice(-2));
    assert.equal((await cli(['events', '--id', '12x'])).code, 2);
    assert.equal((await cli(['events', '--level', 'loud'])).code, 2);
    assert.match((await vact(['events', '--help'])).stdout, /default 100/);
  });

  it('events --json and events.jsonl carry the same fields and ISO times', async () => {
    const api = await events(['--limit', '1000']);
    const file = fs.readFileSync(path.join(stateDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AgentEvent);
    assert.deepEqual(api, file.slice(-api.length));
    for (const e of file) assert.match(e.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('--follow streams new events from the control API until Ctrl-C', async () => {
    const child = spawn(process.execPath, [VACT_BIN, 'events', '--follow', '--json', '--id', '12404', '--limit', '1', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const lines = (): AgentEvent[] => out.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AgentEvent);
    const waitFor = async (n: number): Promise<void> => {
      for (let i = 0; lines().length < n; i++) {
        assert.ok(i < 200, `expected ${n} lines, got:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(1);
    const backlog = lines()[0];
    assert.equal((await cli(['clock', 'advance', '48h'])).code, 0);
    await waitFor(2);
    const streamed = lines()[1];
    assert.equal(streamed.eventId, 12404);
    assert.ok(streamed.seq > backlog.seq);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});

describe('enums in any case (real authority)', function () {
  this.timeout(30_000);
  const group = new ProcessGroup();
  after(() => group.dispose());
  it('`vact authority key issue --type MAK` and ISO times in --json', async () => {
    const a = await startAuthority(group);
    const r = await group.runVact(['authority', 'key', 'issue', '--type', 'MAK', '--group', 'client-vl', '--dir', a.dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const k = parseJsonOutput<{ type: string; issuedAt: unknown }>(r);
    assert.equal(k.type, 'mak');
    assert.match(String(k.issuedAt), /^\d{4}-\d{2}-\d{2}T/);
  });
});
