import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { referenceCatalogue, VactError, type Catalogue } from '@vact/shared';
import { formatCatalogue, loadCatalogueFile } from './catalogue-command';

const VACT = resolve(__dirname, '../../bin/vact.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process and resolves with its exit code and output. */
function vact(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [VACT, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe('vact catalogue (real CLI)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vact-catalogue-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a catalogue file into the test's temp dir. */
  function writeCatalogue(name: string, content: unknown): string {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  it('show --json prints the reference catalogue object', async () => {
    const r = await vact('catalogue', 'show', '--json');
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Catalogue;
    assert.deepEqual(printed, referenceCatalogue());
    assert.deepEqual(printed.groups.map((g) => g.id), ['client-vl', 'server-a', 'server-b', 'server-c']);
    assert.equal(printed.editions.find((e) => e.id === 'client-enterprise')?.threshold, 25);
    assert.equal(printed.editions.find((e) => e.id === 'server-datacenter-v1')?.threshold, 5);
  });

  it('show prints the groups with their hierarchy, the editions and their setup keys as a table', async () => {
    const r = await vact('catalogue', 'show');
    assert.equal(r.code, 0, r.stderr);
    const c = referenceCatalogue();
    assert.match(r.stdout, /server-b\s+Server Group B\s+client-vl, server-a, server-b\s+server editions only \(12\)/);
    assert.match(r.stdout, /client-vl\s+Client VL\s+client-vl\s+any edition \(16\)/);
    for (const e of c.editions) {
      assert.match(r.stdout, new RegExp(`${e.id}\\s+${e.name}\\s+${e.group}\\s+${e.kind}\\s+${e.generation}\\s+${e.threshold}\\s+${e.kmsClientSetupKey}`));
    }
    assert.match(r.stdout, /KMS renewal interval\s+10080 minutes \(7 days\)/);
  });

  it('show --catalogue reads a catalogue file of your own', async () => {
    const own = referenceCatalogue();
    own.name = 'our lab';
    own.editions[0].threshold = 10;
    const r = await vact('catalogue', 'show', '--json', '--catalogue', writeCatalogue('own.json', own));
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Catalogue;
    assert.equal(printed.name, 'our lab');
    assert.equal(printed.editions[0].threshold, 10);
  });

  it('show --catalogue with a bad file names the field on stderr and exits 2', async () => {
    const bad = referenceCatalogue();
    bad.editions[3].group = 'server-x';
    const file = writeCatalogue('bad.json', bad);
    const r = await vact('catalogue', 'show', '--catalogue', file);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /editions\[3\]\.group: unknown group "server-x"/);
    assert.ok(r.stderr.includes(file));

    const j = await vact('catalogue', 'show', '--json', '--catalogue', file);
    assert.equal(j.code, 2);
    const { error } = JSON.parse(j.stdout) as { error: { code: string; number: number; details: { field: string } } };
    assert.equal(error.code, 'INVALID_CATALOGUE');
    assert.equal(error.number, 1005);
    assert.equal(error.details.field, 'editions[3].group');
  });

  it('check exits 0 for a valid file and 2 for a broken one', async () => {
    const good = await vact('catalogue', 'check', writeCatalogue('good.json', referenceCatalogue()));
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /valid catalogue .* \(4 products, 4 groups, 16 editions\)/);

    const goodJson = await vact('catalogue', 'check', '--json', join(dir, 'good.json'));
    assert.equal((JSON.parse(goodJson.stdout) as { valid: boolean }).valid, true);

    const notJson = await vact('catalogue', 'check', writeCatalogue('garbage.json', '{ "version": 1,'));
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /garbage\.json: not valid JSON/);

    const missing = await vact('catalogue', 'check', join(dir, 'nope.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot read it \(no such file\)/);

    const noArg = await vact('catalogue', 'check');
    assert.equal(noArg.code, 2);
  });
});

describe('catalogue command helpers', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vact-catalogue-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loadCatalogueFile names the file and the field, and refuses huge files', () => {
    const bad = referenceCatalogue() as unknown as Record<string, unknown>;
    bad['colour'] = 'red';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    assert.throws(
      () => loadCatalogueFile(file),
      (err: unknown) => err instanceof VactError && err.code === 'INVALID_CATALOGUE' && err.message === `The catalogue is not valid: ${file}: colour: unknown field`,
    );
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, ' '.repeat(1024 * 1024 + 1));
    assert.throws(() => loadCatalogueFile(huge), /larger than the 1048576-byte limit/);
    assert.throws(() => loadCatalogueFile(dir), /is a directory/);
  });

  it('formatCatalogue lists host editions by name when they are not a whole class', () => {
    const c = referenceCatalogue();
    c.groups[1].hostEditions = ['server-web', 'server-hpc'];
    c.groups[2].hostEditions = c.editions.filter((e) => e.kind === 'client').map((e) => e.id);
    c.groups[3].hostEditions = [];
    c.groups[0].hostEditions = ['client-professional', 'client-enterprise'];
    const text = formatCatalogue(c);
    assert.match(text, /server-a\s+Server Group A\s+client-vl, server-a\s+server-web, server-hpc/);
    assert.match(text, /server-b .* client editions only \(4\)/);
    assert.match(text, /server-c .* \(nowhere\)/);
    assert.match(text, /client-vl\s+Client VL\s+client-vl\s+client-professional, client-enterprise\n/);
  });
});
