// One KMS activation attempt end to end over TCP: discovery → exchange → ticket verification.
import assert from 'node:assert/strict';
import { referenceCatalogue } from '@vact/shared';
import { nodeEd25519, SystemClock } from '@vact/shared/node';
import { KmsChannel, KmsDiscovery, kmsActivate, type KmsClientIdentity } from '@vact/agent/kms';
import { ROGUE_ROOT, ROOT, TestKmsHost } from './kms-host-fixture';

describe('KMS client activation attempt', () => {
  const clock = new SystemClock();
  const hosts: TestKmsHost[] = [];
  after(async () => { for (const h of hosts) await h.listener.close(); });

  const machine = (n: number, edition = 'server-standard'): KmsClientIdentity => ({
    cmid: `${n.toString(16).padStart(8, '0')}${'c'.repeat(24)}`, hardwareHash: `hw-${n}`, edition, machineName: `srv-${n}`, vm: false, licenseStatus: 'InitialGrace', remainingGraceMinutes: 40_000,
  });

  async function start(address: string, rootPrivateKey?: string, legacy = false): Promise<KmsDiscovery> {
    const h = new TestKmsHost(clock, address, 0, {}, rootPrivateKey);
    h.legacy = legacy;
    hosts.push(h);
    const { port } = await h.listener.start();
    return new KmsDiscovery({ staticHost: { host: address, port }, domains: [] });
  }

  it('five server machines: below threshold four times, then activated with a verified ticket and the host\'s intervals', async () => {
    const discovery = await start('127.0.0.61');
    const deps = { discovery, clock, crypto: nodeEd25519, rootPublicKey: ROOT.publicKey, catalogue: referenceCatalogue() };
    const kinds = [];
    for (let n = 1; n <= 5; n++) kinds.push((await kmsActivate(machine(n), deps)).kind);
    assert.deepEqual(kinds, ['below-threshold', 'below-threshold', 'below-threshold', 'below-threshold', 'activated']);
    const again = await kmsActivate(machine(1), deps);
    assert.ok(again.kind === 'activated');
    assert.deepEqual([again.count, again.renewalIntervalMinutes, again.activationIntervalMinutes, again.ticket.body.cmid], [5, 10_080, 120, machine(1).cmid]);
    const clone = await kmsActivate({ ...machine(1), machineName: 'cloned' }, deps);
    assert.equal(clone.kind, 'duplicate-cmid');
    const refused = await kmsActivate(machine(9, 'server-datacenter'), deps);
    assert.ok(refused.kind === 'refused' && refused.error.code === 'PRODUCT_NOT_COVERED_BY_HOST');
  });

  it('a host older than batch-signed tickets refuses the flag; the client asks it again without and activates', async () => {
    const discovery = await start('127.0.0.64', undefined, true);
    const host = hosts[hosts.length - 1];
    const deps = { discovery, clock, crypto: nodeEd25519, rootPublicKey: ROOT.publicKey, catalogue: referenceCatalogue() };
    const kinds = [];
    for (let n = 1; n <= 5; n++) kinds.push((await kmsActivate(machine(n), deps)).kind);
    assert.deepEqual(kinds, ['below-threshold', 'below-threshold', 'below-threshold', 'below-threshold', 'activated']);
    // Each attempt asked twice (with the flag, refused; then without), and only the second was counted.
    assert.deepEqual([host.batchAsked, host.handled, host.state.count.entries.length], [5, 10, 5]);
  });

  it('a rogue host (certificate from another authority) activates nobody, and says why', async () => {
    const discovery = await start('127.0.0.62', ROGUE_ROOT.privateKey);
    const deps = { discovery, clock, crypto: nodeEd25519, rootPublicKey: ROOT.publicKey, catalogue: referenceCatalogue() };
    const outcomes = [];
    for (let n = 1; n <= 6; n++) outcomes.push(await kmsActivate(machine(n), deps));
    const last = outcomes[5];
    assert.ok(last.kind === 'refused' && last.error.code === 'INVALID_SIGNATURE', JSON.stringify(last));
    assert.ok(outcomes.every((o) => o.kind !== 'activated'));
  });

  it('as an activation channel: below threshold is KMS_COUNT_TOO_LOW with the count, then a verified ticket as text', async () => {
    const discovery = await start('127.0.0.63');
    const deps = { discovery, clock, crypto: nodeEd25519, rootPublicKey: ROOT.publicKey, catalogue: referenceCatalogue() };
    const extras = { machineName: 'srv', vm: false, licenseStatus: 'InitialGrace' as const, remainingGraceMinutes: 1000 };
    const channel = new KmsChannel(deps, () => extras, () => 'static 127.0.0.63');
    const key = { key: 'JEA6W-3XHPM-FXJDJ-TCXJG-CT4AT', type: 'kms-client' as const, group: 'server-b', partialKey: 'CT4AT' };
    const outcomes = [];
    for (let n = 1; n <= 5; n++) outcomes.push(await channel.activate({ key, cmid: machine(n).cmid, hardwareHash: `hw-${n}`, edition: 'server-standard' }, new AbortController().signal));
    const first = outcomes[0];
    assert.ok(!first.ok && first.error.code === 'KMS_COUNT_TOO_LOW' && first.error.details?.['count'] === 1);
    const last = outcomes[4];
    assert.ok(last.ok && last.channel === 'KMS' && last.ticketText.length > 0 && last.data['count'] === 5);
    const mak = await channel.activate({ key: { ...key, type: 'mak' }, cmid: machine(1).cmid, hardwareHash: 'hw-1', edition: 'server-standard' }, new AbortController().signal);
    assert.ok(!mak.ok && mak.error.code === 'WRONG_CHANNEL');
  });
});
