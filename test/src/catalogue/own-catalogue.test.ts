// docs/catalogue.md "Writing your own catalogue", followed step by step with real processes:
// start from the reference, add an edition with its own setup key (the doc's snippet), check it,
// run the authority and an agent on it, activate; an agent on another catalogue is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Catalogue, StatusResult } from '@vact/shared';
import { ProcessGroup, REPO_ROOT, parseJsonOutput, type ManagedProcess } from '../fixtures/processes';
import { startAuthority } from '../authority/authority-harness';
import { HARDWARE, writeHardware } from '../agent-daemon/daemon-harness';

/** The js snippet of step 4. */
function encoderSnippet(doc: string): string {
  const m = /```js\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('## Writing your own catalogue')));
  if (!m) throw new Error('docs/catalogue.md: no js snippet in "Writing your own catalogue"');
  return m[1].split('\n').map((l) => l.trim()).filter((l) => l !== '').join('\n');
}

describe('docs/catalogue.md "Writing your own catalogue" end to end (real processes)', function () {
  this.timeout(120_000);
  const group = new ProcessGroup();
  after(() => group.dispose());

  it('own catalogue on authority and agent: activates, identity in status -v; another catalogue is refused', async () => {
    const dir = group.tempDir('vact-own-cat-');
    const file = path.join(dir, 'our-catalogue.json');
    // 1. Start from the reference.
    const shown = await group.runVact(['catalogue', 'show', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    fs.writeFileSync(file, shown.stdout);
    // 2.–3. Edit: a product and an edition of client-vl, which client-vl hosts may serve.
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Catalogue;
    c.name = 'Our lab catalogue';
    c.products.push({ id: 'kiosk', name: 'Kiosk OS' });
    c.groups.find((g) => g.id === 'client-vl')!.hostEditions.push('kiosk-standard');
    fs.writeFileSync(file, JSON.stringify(c, null, 2));
    // 4. The setup key, made with the doc's snippet (serial 205 of client-vl: unique in that group).
    const snippet = encoderSnippet(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'catalogue.md'), 'utf8'))
      .replace("'./our-catalogue.json'", JSON.stringify(file)).replace("group: 'server-a'", "group: 'client-vl'");
    const lines = snippet.split('\n');
    const program = [...lines.slice(0, -1), `console.log(${lines.at(-1)!.replace(/;$/, '')});`].join('\n');
    const setupKey = execFileSync(process.execPath, ['-e', program], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    assert.match(setupKey, /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/);
    c.editions.push({ id: 'kiosk-standard', name: 'Kiosk Standard', product: 'kiosk', group: 'client-vl', kind: 'client', generation: 'current', threshold: 25, kmsClientSetupKey: setupKey });
    fs.writeFileSync(file, JSON.stringify(c, null, 2));
    // 5. Check and show it.
    const check = await group.runVact(['catalogue', 'check', file, '--json']);
    assert.equal(check.code, 0, check.stderr);
    const identity = parseJsonOutput<{ name: string; version: number; digest: string }>(check);
    assert.equal(identity.name, 'Our lab catalogue');
    assert.match(identity.digest, /^[0-9a-f]{64}$/);
    const show = await group.runVact(['catalogue', 'show', '--catalogue', file]);
    assert.match(show.stdout, /kiosk-standard/);
    // 6. The authority and an agent on it.
    const a = await startAuthority(group, { extraArgs: ['--catalogue', file] });
    const issued = await group.runVact(['authority', 'key', 'issue', '--type', 'mak', '--group', 'client-vl', '--dir', a.dir, '--json']);
    assert.equal(issued.code, 0, issued.stderr);
    const mak = parseJsonOutput<{ key: string }>(issued).key;
    const startAgent = async (name: string, extra: string[]): Promise<{ proc: ManagedProcess; state: string }> => {
      const state = path.join(dir, name);
      const hw = path.join(dir, `${name}.hw.json`);
      writeHardware(hw, { ...HARDWARE, system: `system-${name}`, machineId: `machine-${name}` });
      const proc = group.vact(['agent', 'run', '--state-dir', state, '--authority', a.url, '--authority-key', path.join(a.dir, 'authority-root.pub'),
        '--control', '127.0.0.1:0', '--clock', 'sim', '--hardware', `file:${hw}`, ...extra], { name });
      await proc.waitForOutput(/vact agent listening on/, 30_000);
      return { proc, state };
    };
    const kiosk = await startAgent('kiosk', ['--catalogue', file, '--edition', 'kiosk-standard']);
    const install = await group.runVact(['key', 'install', mak, '--state-dir', kiosk.state]);
    assert.equal(install.code, 0, `${install.stdout}${install.stderr}`);
    // 7. Identity in status -v, the digest `catalogue check` printed.
    const v = await group.runVact(['status', '-v', '--state-dir', kiosk.state]);
    assert.match(v.stdout, /^License Status: Licensed$/m);
    assert.match(v.stdout, new RegExp(`^Catalogue: Our lab catalogue \\(version 1, digest ${identity.digest}\\)$`, 'm'));
    const vj = parseJsonOutput<StatusResult>(await group.runVact(['status', '-v', '--json', '--state-dir', kiosk.state]));
    assert.deepEqual(vj.details?.catalogue, { name: identity.name, version: identity.version, digest: identity.digest });
    // An agent on the reference catalogue: refused with both digests named, nothing counted.
    const other = await startAgent('reference', ['--edition', 'client-enterprise']);
    const refused = await group.runVact(['key', 'install', mak, '--state-dir', other.state]);
    assert.equal(refused.code, 1, `${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, new RegExp(`^error CATALOGUE_MISMATCH \\(1012\\): .*this authority's catalogue "Our lab catalogue" \\(version 1\\) has digest ${identity.digest}`, 'm'));
    assert.match(refused.stderr, /what to do: Configure the same catalogue file/);
    const info = parseJsonOutput<{ used: number }>(await group.runVact(['authority', 'key', 'info', mak, '--dir', a.dir, '--json']));
    assert.equal(info.used, 1);
  });
});
