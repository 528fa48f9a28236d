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

  it('refuses unknown keys, non-string values and broken JSON in the config file, naming file and key', () => {
    const cfg = path.join(dir, 'agent.json');
    fs.writeFileSync(cfg, JSON.stringify({ stateDir: 'x', colour: 'blue' }));
    refused(() => resolveAgentConfig({}, cfg), 'colour', new RegExp(`config ${cfg}: colour: unknown key \\(known: stateDir, `));
    fs.writeFileSync(cfg, JSON.stringify({ stateDir: 5 }));
    refused(() => resolveAgentConfig({}, cfg), 'stateDir', new RegExp(`config ${cfg}: stateDir: expected a string`));
    fs.writeFileSync(cfg, JSON.stringify({ stateDir: '' }));
    refused(() => resolveAgentConfig({}, cfg), 'stateDir', /stateDir: must not be empty/);
    fs.writeFileSync(cfg, '{ nope');
    refused(() => resolveAgentConfig({}, cfg), 'config', new RegExp(`config ${cfg}: is not valid JSON`));
    fs.writeFileSync(cfg, '[]');
    refused(() => resolveAgentConfig({}, cfg), 'config', /JSON object/);
    refused(() => resolveAgentConfig({}, path.join(dir, 'none.json')), 'config', /cannot be read \(ENOENT\)/);
    refused(() => resolveAgentConfig({}, dir), 'config', /is not a regular file/);
  });

  it('checks the format of every value in the config file before anything starts, naming file and key', () => {
    const cfg = path.join(dir, 'agent.json');
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ control: 'localhost' }, 'control', /control: "localhost" is not HOST:PORT/],
      [{ control: '127.0.0.1:70000' }, 'control', /control: .*out of range/],
      [{ clock: 'fast' }, 'clock', /clock: "fast" is not one of system, sim/],
      [{ hardware: 'dmi' }, 'hardware', /hardware: .*file:PATH/],
      [{ edition: 'bad edition!' }, 'edition', /edition: "bad edition!" is not an edition id/],
      [{ authority: 'ftp://x' }, 'authority', /authority: .*http/],
      [{ logLevel: 'loud' }, 'logLevel', /logLevel: "loud" is not one of debug/],
    ];
    for (const [json, key, pattern] of cases) {
      fs.writeFileSync(cfg, JSON.stringify(json));
      refused(() => resolveAgentConfig(base, cfg), key, new RegExp(`config ${cfg}: ${pattern.source}`));
    }
  });

  it('parses control addresses, clocks and hardware sources', () => {
    assert.deepEqual(parseControl('[::1]:1689'), { host: '::1', port: 1689 });
    assert.deepEqual(parseClock('sim'), { kind: 'sim', start: null });
    assert.deepEqual(parseHardware('file:/tmp/hw.json'), { kind: 'file', path: '/tmp/hw.json' });
  });
  it('KMS settings: defaults, repeatable domains (flags or a config array), DNS publishing needs a server and a TSIG key', () => {
    const d = resolveAgentConfig(base).kms;
    assert.deepEqual(d.listen, { host: '0.0.0.0', port: 1688 });
    assert.deepEqual(d.domains, []);
    assert.equal(d.publish, null);
    const k = resolveAgentConfig({ ...base, kmsListen: '127.0.0.5:1700', kmsDomain: ['Lab.Example.', 'b.example'], dnsServer: '127.0.0.1' }).kms;
    assert.deepEqual(k.listen, { host: '127.0.0.5', port: 1700 });
    assert.deepEqual(k.domains, ['lab.example', 'b.example']);
    assert.deepEqual(k.dnsServer, { host: '127.0.0.1', port: 53 });
    const file = path.join(dir, 'agent.json');
    fs.writeFileSync(file, JSON.stringify({ kmsDomain: ['a.example'], tsigKey: 'ddns.key' }));
    fs.writeFileSync(path.join(dir, 'ddns.key'), 'key "k" { algorithm hmac-sha256; secret "AAAAAAAAAAAAAAAAAAAAAA=="; };');
    assert.deepEqual(resolveAgentConfig(base, file).kms.domains, ['a.example']);
    const pub = resolveAgentConfig({ ...base, dnsPublish: 'lab.example', dnsServer: '127.0.0.1:5353', dnsWeight: '7' }, file).kms.publish;
    assert.deepEqual(pub, { zone: 'lab.example', tsigKeyFile: path.join(dir, 'ddns.key'), priority: 0, weight: 7 });
    refused(() => resolveAgentConfig({ ...base, dnsPublish: 'lab.example' }), 'dnsServer', /--dns-server .*required with --dns-publish/);
    refused(() => resolveAgentConfig({ ...base, dnsPublish: 'lab.example', dnsServer: '127.0.0.1' }), 'tsigKey', /--tsig-key/);
    refused(() => resolveAgentConfig({ ...base, kmsDomain: 'not a domain' }), 'kmsDomain', /not a DNS domain name/);
    refused(() => resolveAgentConfig({ ...base, kmsListen: 'nohost' }), 'kmsListen', /--kms-listen/);
    refused(() => resolveAgentConfig({ ...base, dnsPublish: 'lab.example', dnsServer: '127.0.0.1', tsigKey: path.join(dir, 'ddns.key'), dnsPriority: '70000' }), 'dnsPriority', /0 to 65535/);
    assert.deepEqual(resolveAgentConfig({ ...base, metricsListen: '127.0.0.1:9100' }, file).kms.metricsListen, { host: '127.0.0.1', port: 9100 });
    assert.equal(resolveAgentConfig(base, file).kms.metricsListen, null, 'off by default');
    refused(() => resolveAgentConfig({ ...base, metricsListen: '0.0.0.0:9100' }), 'metricsListen', /not loopback.*--tls-cert/);
  });
});
