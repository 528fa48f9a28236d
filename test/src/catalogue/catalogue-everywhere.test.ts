// The catalogue identity on every activation path (docs/catalogue.md "One catalogue everywhere"),
// with real processes: an agent whose catalogue defines editions and groups differently from the
// authority's is refused with CATALOGUE_MISMATCH offline (IID → proxy-activate) and as a KMS host,
// and nothing is counted; an agent on the authority's catalogue goes through the same paths.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Catalogue, KeyInfo } from '@vact/shared';
import { ProcessGroup, parseJsonOutput } from '../fixtures/processes';
import { api, issueKey, startAuthority, type AuthorityUnderTest } from '../authority/authority-harness';
import { HARDWARE, writeHardware } from '../agent-daemon/daemon-harness';

interface IidJson { installationId: string; edition: string; partialKey: string; catalogueDigest?: string }
interface ProxyJson { results: { ok: boolean; confirmationId?: string; error?: { code: string; message: string } }[] }

describe('catalogue identity offline and for KMS hosts (real processes)', function () {
  this.timeout(180_000);
  const group = new ProcessGroup();
  after(() => group.dispose());
  let a: AuthorityUnderTest;
  let dir: string;
  let otherFile: string;
  let reference: { digest: string };
  let other: { digest: string };

  before(async () => {
    a = await startAuthority(group);
    dir = group.tempDir('vact-cat-everywhere-');
    // Another catalogue: client-enterprise and client-professional swap places (an IID names its
    // edition by position), client-enterprise activates at 10 clients, and Client VL host keys
    // may run on client editions only.
    const shown = await group.runVact(['catalogue', 'show', '--json']);
    const referenceFile = path.join(dir, 'reference-catalogue.json');
    fs.writeFileSync(referenceFile, shown.stdout);
    const c = JSON.parse(shown.stdout) as Catalogue;
    c.name = 'Other lab catalogue';
    const [professional, enterprise] = [c.editions[0], c.editions[1]];
    assert.deepEqual([professional.id, enterprise.id], ['client-professional', 'client-enterprise']);
    c.editions[0] = enterprise;
    c.editions[1] = professional;
    enterprise.threshold = 10;
    const clientVl = c.groups.find((g) => g.id === 'client-vl')!;
    clientVl.hostEditions = clientVl.hostEditions.filter((id) => id.startsWith('client-'));
    otherFile = path.join(dir, 'other-catalogue.json');
    fs.writeFileSync(otherFile, JSON.stringify(c, null, 2));
    const checked = await group.runVact(['catalogue', 'check', otherFile, '--json']);
    assert.equal(checked.code, 0, checked.stderr);
    other = parseJsonOutput<{ digest: string }>(checked);
    reference = parseJsonOutput<{ digest: string }>(await group.runVact(['catalogue', 'check', referenceFile, '--json']));
    assert.notEqual(other.digest, reference.digest);
  });

  /** An agent on `catalogue` (null: the reference) that reaches `authorityUrl`. */
  async function startAgent(name: string, catalogue: string | null, authorityUrl: string): Promise<string> {
    const state = path.join(dir, name);
    const hw = path.join(dir, `${name}.hw.json`);
    writeHardware(hw, { ...HARDWARE, system: `system-${name}`, machineId: `machine-${name}` });
    const proc = group.vact(['agent', 'run', '--state-dir', state, '--edition', 'client-enterprise', '--authority', authorityUrl,
      '--authority-key', path.join(a.dir, 'authority-root.pub'), '--control', '127.0.0.1:0', '--clock', 'sim', '--hardware', `file:${hw}`,
      ...(catalogue ? ['--catalogue', catalogue] : [])], { name });
    await proc.waitForOutput(/vact agent listening on/, 30_000);
    return state;
  }

  const keyInfo = async (key: string): Promise<KeyInfo> => parseJsonOutput<KeyInfo>(await group.runVact(['authority', 'key', 'info', key, '--dir', a.dir, '--json']));

  it('offline: the IID goes with its catalogue digest; another catalogue is refused, nothing counted', async () => {
    const mak = await issueKey(a, 'mak', 'client-vl', 5);
    // Isolated machines: their authority URL leads nowhere, so only the offline path works.
    const isolated = await startAgent('isolated-other', otherFile, 'http://127.0.0.1:9');
    const matching = await startAgent('isolated-reference', null, 'http://127.0.0.1:9');
    const iids: IidJson[] = [];
    for (const state of [isolated, matching]) {
      assert.equal((await group.runVact(['key', 'install', mak, '--no-activate', '--state-dir', state])).code, 0);
      iids.push(parseJsonOutput<IidJson>(await group.runVact(['offline', 'iid', '--json', '--state-dir', state])));
    }
    assert.deepEqual(iids.map((i) => i.catalogueDigest), [other.digest, reference.digest]);
    const text = await group.runVact(['offline', 'iid', '--state-dir', isolated]);
    assert.match(text.stdout, new RegExp(`^Installation ID: ${iids[0].installationId}\nCatalogue digest: ${other.digest}$`, 'm'));

    // What `vact offline iid --json` printed, as the proxy's input.
    const input = path.join(dir, 'iids.json');
    const out = path.join(dir, 'cids.json');
    fs.writeFileSync(input, JSON.stringify(iids));
    const proxy = await group.runVact(['authority', 'proxy-activate', '--in', input, '--out', out, '--url', a.url]);
    assert.equal(proxy.code, 1, `${proxy.stdout}${proxy.stderr}`);
    assert.match(proxy.stdout, /1 of 2 installation IDs confirmed/);
    assert.match(proxy.stdout, new RegExp(`item 1: CATALOGUE_MISMATCH: .*the requester's catalogue has digest ${other.digest}; this authority's catalogue`));
    const results = (JSON.parse(fs.readFileSync(out, 'utf8')) as ProxyJson).results;
    assert.equal(results[0].ok, false);
    assert.equal(results[0].error?.code, 'CATALOGUE_MISMATCH');
    assert.equal(results[1].ok, true);
    // Only the matching machine counted; it installs its confirmation.
    assert.equal((await keyInfo(mak)).used, 1);
    const confirmed = await group.runVact(['offline', 'confirm', results[1].confirmationId!, '--state-dir', matching]);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match((await group.runVact(['status', '--state-dir', matching])).stdout, /^License Status: Licensed$/m);
    assert.match((await group.runVact(['status', '--state-dir', isolated])).stdout, /^License Status: Initial grace period$/m);

    // Text input: the digest from the command line; the single-ID endpoint checks it the same way.
    const textIn = path.join(dir, 'iids.txt');
    fs.writeFileSync(textIn, `${iids[0].installationId}\n`);
    const flagged = await group.runVact(['authority', 'proxy-activate', '--in', textIn, '--out', path.join(dir, 'cids.txt'), '--url', a.url, '--catalogue-digest', other.digest]);
    assert.equal(flagged.code, 1);
    assert.match(flagged.stdout, /item 1: CATALOGUE_MISMATCH/);
    const bad = await group.runVact(['authority', 'proxy-activate', '--in', textIn, '--out', path.join(dir, 'cids.txt'), '--url', a.url, '--catalogue-digest', 'xyz']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /INVALID_REQUEST.*a catalogue digest is 64 lower-case hex characters/);
    const single = await api<{ error: { code: string } }>(a.url, 'POST', '/v1/offline/confirm', { json: { installationId: iids[0].installationId, catalogueDigest: other.digest } });
    assert.equal(single.status, 409);
    assert.equal(single.body.error.code, 'CATALOGUE_MISMATCH');
    const uneven = await api<{ error: { code: string } }>(a.url, 'POST', '/v1/offline/confirm-batch', { json: { installationIds: [iids[0].installationId], catalogueDigests: [] } });
    assert.equal(uneven.status, 400);
    assert.equal((await keyInfo(mak)).used, 1, 'no refused request counted');
  });

  it('a KMS host on another catalogue is refused at its own activation; one on the same catalogue activates', async () => {
    const hostKey = await issueKey(a, 'kms-host', 'client-vl');
    const foreign = await startAgent('host-other', otherFile, a.url);
    const refused = await group.runVact(['key', 'install', hostKey, '--state-dir', foreign]);
    assert.equal(refused.code, 1, `${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, new RegExp(`^error CATALOGUE_MISMATCH \\(1012\\): .*the requester's catalogue has digest ${other.digest}; this authority's catalogue "[^"]+" \\(version 1\\) has digest ${reference.digest}`, 'm'));
    const hostStatus = parseJsonOutput<{ activated: boolean }>(await group.runVact(['host', 'status', '--json', '--state-dir', foreign]));
    assert.equal(hostStatus.activated, false);
    const before = await keyInfo(hostKey);
    assert.equal(before.used, 0);
    assert.deepEqual(before.hosts ?? [], []);

    const same = await startAgent('host-reference', null, a.url);
    const ok = await group.runVact(['key', 'install', hostKey, '--state-dir', same]);
    assert.equal(ok.code, 0, `${ok.stdout}${ok.stderr}`);
    assert.equal(parseJsonOutput<{ activated: boolean }>(await group.runVact(['host', 'status', '--json', '--state-dir', same])).activated, true);
    assert.equal((await keyInfo(hostKey)).used, 1);
  });
});
