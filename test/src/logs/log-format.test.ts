// One JSON log format for agent and authority (real processes, both logging through the shared
// pino configuration): every line is `{"time":ISO 8601,"level":label,"msg":…` then its fields flat,
// with no pid or hostname; no token or whole product key appears in either log, nor on the
// agent's terminal.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProcessGroup, parseJsonOutput } from '../fixtures/processes';
import { startAuthority } from '../authority/authority-harness';
import { HARDWARE, writeHardware } from '../agent-daemon/daemon-harness';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// The raw line as the shared pino configuration prints it (pino's own order would be level, time, …, msg).
const LINE = /^\{"time":"[^"]+","level":"(debug|info|warn|error)","msg":"/;

/** Every line of a JSON-lines text (non-empty lines must all be JSON objects). */
function lines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l !== '').map((l) => {
    assert.match(l, LINE);
    return JSON.parse(l) as Record<string, unknown>;
  });
}

describe('agent and authority JSON logs (real processes)', function () {
  this.timeout(60_000);
  const group = new ProcessGroup();
  after(() => group.dispose());

  it('same field names, ISO times, no secrets', async () => {
    const a = await startAuthority(group);
    const issued = await group.runVact(['authority', 'key', 'issue', '--type', 'mak', '--group', 'client-vl', '--dir', a.dir, '--json']);
    const mak = parseJsonOutput<{ key: string }>(issued).key;
    const dir = group.tempDir('vact-logs-');
    const hw = path.join(dir, 'hw.json');
    writeHardware(hw, HARDWARE);
    const state = path.join(dir, 'state');
    const agent = group.vact(['agent', 'run', '--state-dir', state, '--edition', 'client-enterprise', '--authority', a.url,
      '--authority-key', path.join(a.dir, 'authority-root.pub'), '--control', '127.0.0.1:0', '--clock', 'sim', '--hardware', `file:${hw}`], { name: 'agent' });
    await agent.waitForOutput(/vact agent listening on/, 30_000);
    assert.equal((await group.runVact(['key', 'install', mak, '--state-dir', state])).code, 0);
    await a.proc.stop();
    await agent.stop();
    const authorityLines = lines(a.proc.stdout);
    const agentLines = lines(fs.readFileSync(path.join(state, 'agent.log'), 'utf8'));
    assert.ok(authorityLines.length > 2 && agentLines.length > 2);
    for (const l of [...authorityLines, ...agentLines]) {
      assert.deepEqual(Object.keys(l).slice(0, 3), ['time', 'level', 'msg'], JSON.stringify(l));
      assert.match(String(l['time']), ISO);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(String(l['level'])), JSON.stringify(l));
      assert.ok(!('pid' in l) && !('hostname' in l), JSON.stringify(l));
    }
    for (const msg of ['listening', 'request', 'stopped']) assert.ok(authorityLines.some((l) => l['msg'] === msg), msg);
    const request = authorityLines.find((l) => l['msg'] === 'request') ?? {};
    assert.deepEqual(Object.keys(request).slice(3, 8), ['method', 'path', 'status', 'ms', 'remote'], JSON.stringify(request));
    assert.ok(agentLines.some((l) => l['msg'] === 'product key installed' && l['type'] === 'mak' && l['partialKey'] === mak.slice(-5)));
    // The terminal keeps its human lines (TIME LEVEL message k=v), redacted the same way.
    assert.match(agent.stderr, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z INFO {2}product key installed type=mak partialKey=/m);
    const secrets = [mak, a.token, ...['admin.token', 'user.token'].map((f) => fs.readFileSync(path.join(state, f), 'utf8').trim())];
    const all = `${JSON.stringify(authorityLines)}${JSON.stringify(agentLines)}${agent.stderr}`;
    for (const s of secrets) assert.ok(!all.includes(s), 'no token or whole key in the logs');
  });
});
