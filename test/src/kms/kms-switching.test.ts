// Switching channels with real agents (docs/kms.md, "Switching channels"): a KMS-Licensed client
// that gets a MAK stays Licensed by KMS until the authority answers, then is Licensed by MAK; the
// edition's KMS client setup key switches it back once the host answers; a MAK the authority
// refuses ends the old activation in InitialGrace counted from the key install.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { referenceCatalogue } from '@vact/shared';
import { ProcessGroup, freePort } from '../fixtures/processes';
import { api, issueKey, startAuthority } from '../authority/authority-harness';
import { RpcClient } from '../agent-daemon/daemon-harness';
import { LabAgent, rawRequest } from './kms-lab';

const EDITION = 'server-standard';

/** A TCP relay to the authority that can hold new connections (an activation "under way"). */
class GatedRelay {
  private server: net.Server | null = null;
  private release: (() => void) | null = null;
  private gate: Promise<void> = Promise.resolve();
  held = 0;
  private readonly sockets = new Set<net.Socket>();

  async start(target: URL): Promise<string> {
    this.server = net.createServer((s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.pause();
      this.held++;
      void this.gate.then(() => {
        const up = net.connect({ host: target.hostname, port: Number(target.port) });
        this.sockets.add(up);
        up.on('close', () => this.sockets.delete(up));
        up.on('error', () => s.destroy());
        s.on('error', () => up.destroy());
        s.pipe(up).pipe(s);
        s.resume();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  hold(): void {
    this.held = 0;
    this.gate = new Promise<void>((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release?.();
  }

  async close(): Promise<void> {
    this.open();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('switching channels with real agents (MAK ⇄ KMS)', function () {
  this.timeout(180_000);
  const group = new ProcessGroup();
  const relay = new GatedRelay();
  const rpcs: RpcClient[] = [];
  after(async () => {
    for (const r of rpcs) r.close();
    await relay.close();
    await group.dispose();
  });

  it('stays Licensed by the old channel until the new one answers; a refused MAK ends in InitialGrace from the install', async () => {
    const authority = await startAuthority(group);
    const keyFile = `${authority.dir}/authority-root.pub`;
    const host = new LabAgent(group, 'switchhost', 'server-enterprise', { url: authority.url, keyFile }, ['--kms-listen', `127.0.0.1:${await freePort()}`]);
    await host.start();
    await host.json(['key', 'install', await issueKey(authority, 'kms-host', 'server-b')]);
    const port = await host.kmsPort();
    for (let i = 0; i < 4; i++) assert.equal((await rawRequest('127.0.0.1', port, EDITION, Date.now())).type, 'response');

    const relayUrl = await relay.start(new URL(authority.url));
    const client = new LabAgent(group, 'switchclient', EDITION, { url: relayUrl, keyFile });
    await client.start();
    const rpc = await RpcClient.connect(client.url, client.dir);
    rpcs.push(rpc);
    await client.json(['kms', 'set', `127.0.0.1:${port}`]);
    await client.json(['activate']);
    const kms = await client.status();
    assert.equal(kms.status, 'Licensed');
    assert.equal(kms.channel, 'KMS');

    // A MAK while the authority's answer is held back: still Licensed by KMS, to the KMS validity end.
    const mak = await issueKey(authority, 'mak', 'server-b');
    relay.hold();
    const install = rpc.call('key.install', { key: mak });
    for (let i = 0; i < 200 && relay.held === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(relay.held, 1, 'the MAK activation is under way');
    const during = await client.status();
    assert.equal(during.status, 'Licensed', 'a Licensed machine stays Licensed until the new channel decides');
    assert.equal(during.channel, 'KMS');
    assert.equal(during.keyType, 'mak');
    assert.equal(during.validUntil, kms.validUntil);
    assert.equal(during.switching?.from, 'KMS');
    relay.open();
    const installed = await install;
    assert.equal(installed.activation.succeeded, true);
    const byMak = await client.status();
    assert.equal(byMak.status, 'Licensed');
    assert.equal(byMak.channel, 'MAK');
    assert.equal(byMak.validUntil, null);
    assert.equal(byMak.switching, null);

    // The edition's KMS client setup key back: Licensed by KMS once the host answers.
    const setupKey = referenceCatalogue().editions.find((e) => e.id === EDITION)!.kmsClientSetupKey;
    await client.json(['key', 'install', setupKey]);
    let back = await client.status();
    for (let i = 0; i < 200 && back.channel !== 'KMS'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      back = await client.status();
    }
    assert.equal(back.status, 'Licensed');
    assert.equal(back.channel, 'KMS');
    assert.equal(back.keyType, 'kms-client');
    assert.equal(back.switching, null);
    assert.ok(back.validUntil !== null);

    // A MAK the authority refuses (revoked): the KMS activation is given up; InitialGrace counted from the install.
    const revoked = await issueKey(authority, 'mak', 'server-b');
    assert.equal((await api(authority.url, 'POST', `/v1/keys/${revoked}/revoke`, { token: authority.token })).status, 200);
    // The key is installed, but the activation it started failed: the exit code says so (slmgr /ipk + /ato).
    const r = await client.run(['key', 'install', revoked, '--json']);
    assert.notEqual(r.code, 0, r.stdout);
    const refused = JSON.parse(r.stdout) as { activation: { succeeded: boolean; error: { code: string } | null } };
    assert.equal(refused.activation.succeeded, false);
    const after = await client.status();
    assert.equal(after.status, 'InitialGrace');
    assert.equal(after.channel, null);
    assert.equal(after.validUntil, null);
    assert.equal(after.lastError?.code, refused.activation.error?.code);
    const switches = await client.events([12426]);
    assert.equal(switches.length, 3, 'each switch on a Licensed machine is logged');
    const grace = (await client.events([12420])).at(-1)!;
    const started = Number(grace.data?.graceStartedAt);
    assert.ok(Math.abs(started - Date.parse(switches.at(-1)!.time)) < 1000, 'grace counted from the key install');
    assert.equal(Date.parse(after.graceEndsAt!) - started, 30 * 86_400_000);
    await client.stop();
    await host.stop();
  });
});
