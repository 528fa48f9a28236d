// `vact key install` of a MAK does not hide a failed activation (exit ≠ 0, the key stays installed),
// `--no-activate` only installs, `vact key install -` reads the key from standard input; and
// `vact authority key revoke` asks on a terminal (real processes; the terminal is a real pty).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { StatusResult } from '@vact/shared';
import { SigningAuthority, makKey, useDaemonBench } from '../agent-daemon/daemon-harness';
import { ProcessGroup, VACT_BIN } from '../fixtures/processes';
import { api, issueKey, startAuthority } from '../authority/authority-harness';
import { vact } from './cli-runner';

describe('vact key install of a MAK (real processes)', function () {
  this.timeout(60_000);
  let stateDir: string;
  let authority: SigningAuthority;
  useDaemonBench('vact-ipk2-', (b) => ({ stateDir, authority } = b), { agentClock: 'sim' });

  const cli = (args: string[], input?: string) => vact([...args, '--state-dir', stateDir], input !== undefined ? { input } : {});
  async function status(): Promise<StatusResult> {
    return JSON.parse((await cli(['status', '--json'])).stdout) as StatusResult;
  }

  it('a failed activation is an exit code ≠ 0; the key stays installed', async () => {
    await authority.stop();
    const mak = makKey(21);
    const r = await cli(['key', 'install', mak]);
    assert.equal(r.code, 4, `the authority is down: exit 4\n${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /Installed product key .* successfully/);
    assert.match(r.stderr, /^error UNREACHABLE \(6004\)/m);
    const s = await status();
    assert.equal(s.partialKey, mak.slice(-5));
    assert.equal(s.keyType, 'mak');
    const j = await cli(['key', 'install', mak, '--json']);
    assert.equal(j.code, 4);
    assert.equal((JSON.parse(j.stdout) as { activation: { error: { code: string } } }).activation.error.code, 'UNREACHABLE');
  });

  it('--no-activate only installs: the authority is not asked', async () => {
    const before = authority.requests;
    const r = await cli(['key', 'install', makKey(22), '--no-activate']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(authority.requests, before);
    const s = await status();
    assert.equal(s.partialKey, makKey(22).slice(-5));
    assert.notEqual(s.status, 'Licensed');
    assert.equal((await cli(['activate'])).code, 0);
    assert.equal((await status()).status, 'Licensed');
  });

  it('`vact key install -` reads the key from standard input', async () => {
    const mak = makKey(23);
    const r = await cli(['key', 'install', '-'], `${mak}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await status()).partialKey, mak.slice(-5));
    const empty = await cli(['key', 'install', '-'], '');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^error INVALID_KEY \(1002\): .*no key on standard input/m);
  });
});

describe('vact authority key revoke asks on a terminal (real pty)', function () {
  this.timeout(60_000);
  const group = new ProcessGroup();
  after(() => group.dispose());

  /** Runs the command in a pseudo-terminal (util-linux `script`), answering `answer` to the prompt. */
  function onTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
    const cmd = [process.execPath, VACT_BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit; output:\n${output}`)); }, 20_000);
      const onData = (d: Buffer): void => {
        output += d.toString();
        if (!answered && /\[y\/N\]/.test(output)) {
          answered = true;
          child.stdin.write(`${answer}\r`);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output }); });
    });
  }

  it('no: nothing revoked (exit 1); yes: revoked; --yes needs no terminal', async () => {
    const a = await startAuthority(group);
    const key = await issueKey(a, 'mak', 'client-vl', 5);
    const no = await onTerminal(['authority', 'key', 'revoke', key, '--dir', a.dir], 'n');
    assert.match(no.output, /Revoke .*This cannot be undone\. \[y\/N\]/);
    assert.equal(no.code, 1, no.output);
    assert.match(no.output, /NOT_CONFIRMED/);
    assert.equal((await api<{ revoked: boolean }>(a.url, 'GET', `/v1/keys/${key}`, { token: a.token })).body.revoked, false);
    const yes = await onTerminal(['authority', 'key', 'revoke', key, '--dir', a.dir], 'y');
    assert.equal(yes.code, 0, yes.output);
    assert.equal((await api<{ revoked: boolean }>(a.url, 'GET', `/v1/keys/${key}`, { token: a.token })).body.revoked, true);
    const other = await issueKey(a, 'mak', 'client-vl', 5);
    const scripted = await group.runVact(['authority', 'key', 'revoke', other, '--yes', '--dir', a.dir]);
    assert.equal(scripted.code, 0, scripted.stderr);
  });
});
