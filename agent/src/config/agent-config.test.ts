import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VactError } from '@vact/shared';
import { resolveAgentConfig, parseControl, parseClock, parseHardware, type RawAgentSettings } from './agent-config';

describe('agent config (flags + --config FILE)', () => {
  let dir: string;
  let keyFile: string;
  let base: RawAgentSettings;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-config-'));
    keyFile = path.join(dir, 'authority.pub');
    fs.writeFileSync(keyFile, Buffer.alloc(32, 1).toString('base64'));
    base = { stateDir: path.join(dir, 'state'), edition: 'enterprise', authority: 'http://127.0.0.1:8470', authorityKey: keyFile };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function refused(fn: () => unknown, setting: string, pattern: RegExp): void {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof VactError);
      assert.equal(err.code, 'INVALID_CONFIG');
      assert.equal(err.details?.['setting'], setting);
      assert.match(err.message, pattern);
      return true;
    });
  }

  it('applies defaults for the optional settings', () => {
    const c = resolveAgentConfig(base);
    assert.deepEqual(c.control, { host: '127.0.0.1', port: 1689 });
    assert.deepEqual(c.clock, { kind: 'system' });
    assert.deepEqual(c.hardware, { kind: 'systeminformation' });
    assert.equal(c.stateDir, path.join(dir, 'state'));
  });

  it('a default install keeps its state in /var/lib/vact', () => {
    const raw = { ...base };
    delete raw.stateDir;
    assert.equal(resolveAgentConfig(raw).stateDir, '/var/lib/vact');
  });

  it('names each missing required setting', () => {
    for (const k of ['edition', 'authority', 'authorityKey'] as const) {
      const raw = { ...base };
      delete raw[k];
      refused(() => resolveAgentConfig(raw), k, /is required/);
    }
  });

  it('refuses invalid values with the flag name', () => {
    refused(() => resolveAgentConfig({ ...base, authority: 'ftp://x' }), 'authority', /--authority .*http/);
    refused(() => resolveAgentConfig({ ...base, authority: 'not a url' }), 'authority', /not a URL/);
    refused(() => resolveAgentConfig({ ...base, authorityKey: path.join(dir, 'missing') }), 'authorityKey', /does not exist/);
    refused(() => resolveAgentConfig({ ...base, control: 'localhost' }), 'control', /HOST:PORT/);
    refused(() => resolveAgentConfig({ ...base, control: '127.0.0.1:70000' }), 'control', /out of range/);
    refused(() => resolveAgentConfig({ ...base, control: '0.0.0.0:1689' }), 'control', /requires --tls-cert/);
    refused(() => resolveAgentConfig({ ...base, clock: 'fast' }), 'clock', /system, sim/);
    refused(() => resolveAgentConfig({ ...base, clock: 'sim:yesterday' }), 'clock', /ISO/);
    refused(() => resolveAgentConfig({ ...base, hardware: 'dmi' }), 'hardware', /file:PATH/);
    refused(() => resolveAgentConfig({ ...base, edition: 'bad edition!' }), 'edition', /not an edition id/);
    refused(() => resolveAgentConfig({ ...base, logLevel: 'loud' }), 'logLevel', /debug, info/);
    refused(() => resolveAgentConfig({ ...base, tlsCert: keyFile }), 'tlsKey', /together/);
  });

  it('reads a config file; flags override it; paths are relative to the file', () => {
    const cfgDir = path.join(dir, 'etc');
    fs.mkdirSync(cfgDir);
    fs.copyFileSync(keyFile, path.join(cfgDir, 'authority.pub'));
    const cfg = path.join(cfgDir, 'agent.json');
    fs.writeFileSync(cfg, JSON.stringify({
      stateDir: 'state', edition: 'professional', authority: 'http://a:1', authorityKey: 'authority.pub',
      control: '127.0.0.1:0', clock: 'sim:2026-01-01T00:00:00Z', hardware: 'file:hw.json',
    }));
    const c = resolveAgentConfig({ edition: 'enterprise' }, cfg);
    assert.equal(c.edition, 'enterprise');
    assert.equal(c.stateDir, path.join(cfgDir, 'state'));
    assert.equal(c.authorityKeyFile, path.join(cfgDir, 'authority.pub'));
    assert.deepEqual(c.hardware, { kind: 'file', path: path.join(cfgDir, 'hw.json') });
    assert.deepEqual(c.clock, { kind: 'sim', start: Date.parse('2026-01-01T00:00:00Z') });
    assert.equal(c.control.port, 0);
  });

  it('refuses unknown keys, non-string values and broken JSON in the config file', () => {
    const cfg = path.join(dir, 'agent.json');
    fs.writeFileSync(cfg, JSON.stringify({ stateDir: 'x', colour: 'blue' }));
    refused(() => resolveAgentConfig({}, cfg), 'config', /unknown key "colour"/);
    fs.writeFileSync(cfg, JSON.stringify({ stateDir: 5 }));
    refused(() => resolveAgentConfig({}, cfg), 'stateDir', /must be a string/);
    fs.writeFileSync(cfg, '{ nope');
    refused(() => resolveAgentConfig({}, cfg), 'config', /not valid JSON/);
    fs.writeFileSync(cfg, '[]');
    refused(() => resolveAgentConfig({}, cfg), 'config', /JSON object/);
    refused(() => resolveAgentConfig({}, path.join(dir, 'none.json')), 'config', /cannot read/);
  });

  it('parses control addresses, clocks and hardware sources', () => {
    assert.deepEqual(parseControl('[::1]:1689'), { host: '::1', port: 1689 });
    assert.deepEqual(parseClock('sim'), { kind: 'sim', start: null });
    assert.deepEqual(parseHardware('file:/tmp/hw.json'), { kind: 'file', path: '/tmp/hw.json' });
  });
});
