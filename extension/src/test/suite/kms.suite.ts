// The KMS parts of the extension against real agents: the lab's KMS host (certified by a real
// authority) and a real KMS client. Set the host from the extension, see the client activate and
// its count; the host section lists its clients (duplicate CMID flagged) and follows live;
// intervals checked before sending; clear the host; a user-token connection cannot set it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KmsShowResult, StatusResult } from '@vact/shared';
import type { VactApi } from '../../extension';
import { panelState } from '../../model/panel-model';
import { AgentProcess, freePort, waitFor, type Fixture } from './agent-process';
import { command, fixture, ok } from './suite-commands';

describe('vact extension: KMS host and client (real agents, real authority)', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let api: VactApi;
  let client: AgentProcess;
  let hostId = '';
  let clientId = '';
  let userId = '';
  let hostTarget = '';

  const snap = (id: string) => api.fleet.get(id)?.snapshot;
  const details = (id: string): Record<string, string> =>
    Object.fromEntries(api.tree.getChildren({ kind: 'agent', id }).flatMap((n) => (n.kind === 'detail' ? [[n.label, n.value]] : [])));
  const treeLine = (id: string): string => String(api.tree.getTreeItem({ kind: 'agent', id }).description ?? '');

  before(async () => {
    fx = fixture();
    hostTarget = `127.0.0.1:${fx.kmsHost.kmsPort}`;
    client = new AgentProcess(fx, 'suite-kms', await freePort(), 'server-standard');
    await client.start();
    const ext = vscode.extensions.getExtension<VactApi>('vact.vact-vscode');
    assert.ok(ext);
    api = await ext.activate();
    const hostToken = fs.readFileSync(path.join(fx.kmsHost.stateDir, 'admin.token'), 'utf8').trim();
    hostId = (await vscode.commands.executeCommand<string>('vact.addAgent', { name: 'kms-host', url: fx.kmsHost.url, token: hostToken })) ?? '';
    clientId = (await vscode.commands.executeCommand<string>('vact.addAgent', { name: 'suite-kms', url: client.url, token: client.token('admin') })) ?? '';
    await waitFor('both online', () => snap(hostId)?.kind === 'online' && snap(clientId)?.kind === 'online');
  });

  after(async () => {
    for (const i of [hostId, clientId, userId]) if (i) await vscode.commands.executeCommand('vact.removeAgent', i);
    await client.kill();
  });

  it('shows the KMS host: count against the threshold, cache, listener, certificate, and its clients with the duplicate CMID flagged', async () => {
    const h = await waitFor('the host section', () => {
      const p = panelState(snap(hostId)!).host;
      return p?.ready ? p : undefined;
    });
    assert.equal(h.activated, true);
    assert.ok(h.count >= 4, `count ${h.count}`);
    assert.match(h.countLabel, /^count \d+ of 5$/);
    assert.equal(h.listening, hostTarget);
    assert.match(h.certificate, /^valid until /);
    const clone = h.clients.find((c) => c.machineName === 'lab-srv-1');
    assert.ok(clone?.duplicate, JSON.stringify(h.clients.map((c) => [c.machineName, c.duplicate])));
    assert.equal(clone.duplicateOf, 'lab-srv-1-clone');
    assert.equal(h.clients[0]?.duplicate, true, 'duplicates are listed first');
    assert.equal(h.clients.find((c) => c.machineName.startsWith('vm-'))?.vm, true);
    assert.match(details(hostId)['KMS count'] ?? '', /^count \d+ of 5$/);
    assert.match(details(hostId)['KMS clients'] ?? '', /\(1 duplicate CMID\)/);
  });

  it('a user-token connection cannot set the KMS host (the extension refuses, and so does the agent)', async () => {
    userId = (await vscode.commands.executeCommand<string>('vact.addAgent', { name: 'suite-kms (user)', url: client.url.replace('127.0.0.1', 'localhost'), token: client.token('user') })) ?? '';
    await waitFor('the user connection online', () => snap(userId)?.kind === 'online');
    const o = await command('vact.kmsSetHost', userId, hostTarget);
    assert.equal(o.ok, false);
    if (!o.ok) assert.equal(o.error.code, 'NEEDS_ADMIN');
    const conn = api.fleet.get(userId)!;
    await assert.rejects(conn.call('kms.set', { host: hostTarget }), (e: { code?: string }) => e.code === 'NEEDS_ADMIN');
    assert.equal((await conn.call('kms.show')).hostSource, 'dns');
    assert.equal(panelState(snap(userId)!).admin, false, 'the panel disables the KMS buttons');
  });

  it('refuses a malformed host before sending it; nothing changes', async () => {
    for (const bad of ['127.0.0.1:99999', 'http://kms1', 'kms 1']) {
      const o = await command('vact.kmsSetHost', clientId, bad);
      assert.equal(o.ok, false, bad);
      if (!o.ok) assert.equal(o.error.code, 'INVALID_CONFIG');
    }
    assert.equal((await api.fleet.get(clientId)!.call('kms.show')).staticHost, null);
  });

  it('sets the KMS host from the extension; Activate: the client is Licensed by KMS, its count shown against the threshold', async () => {
    const hostClientsBefore = snap(hostId)?.host?.clients.length ?? 0;
    const set = ok(await command<KmsShowResult>('vact.kmsSetHost', clientId, hostTarget));
    assert.equal(set.staticHost, hostTarget);
    await waitFor('the static host in the tree', () => details(clientId)['KMS host'] === `${hostTarget} · static` || undefined);
    const st = ok(await command<StatusResult>('vact.activate', clientId));
    assert.equal(st.status, 'Licensed');
    await waitFor('Licensed · KMS in the tree', () => treeLine(clientId).startsWith('Licensed · KMS'));
    const k = await waitFor('the count in the panel', () => {
      const p = panelState(snap(clientId)!).kms;
      return p && p.count !== null ? p : undefined;
    });
    assert.ok((k.count ?? 0) >= 5, k.countLabel);
    assert.equal(k.countLabel, `count ${k.count} of 5`);
    assert.equal(k.host, hostTarget);
    assert.match(k.foundBy, /^static/);
    assert.equal(k.nextKind, 'renewal');
    assert.match(k.intervals, /\(from the KMS host\)/);
    assert.match(details(clientId)['KMS count'] ?? '', /^count \d+ of 5$/);
    // The host pushed its request event: its section lists the new client without being asked.
    await waitFor('the new client in the host section', () => (snap(hostId)?.host?.clients.length ?? 0) > hostClientsBefore, 5000);
    assert.ok((snap(hostId)?.host?.status.count ?? 0) >= 5);
  });

  it('sets the intervals (checked with the schema before sending: 15 min … 30 d)', async () => {
    const low = await command('vact.kmsIntervals', clientId, { activation: '10m' });
    assert.equal(low.ok, false);
    if (!low.ok) assert.match(low.error.message, /Activation interval: must be from 15 min to 30 d/);
    const high = await command('vact.kmsIntervals', clientId, { renewal: '31d' });
    assert.equal(high.ok, false);
    const r = ok(await command<KmsShowResult>('vact.kmsIntervals', clientId, { activation: '3h', renewal: '5d' }));
    assert.deepEqual([r.intervals.activationMinutes, r.intervals.renewalMinutes, r.intervals.source], [180, 7200, 'admin']);
    await waitFor('the intervals in the panel', () => /activation every 3 h, renewal every 5 d \(set by the administrator\)/.test(panelState(snap(clientId)!).kms?.intervals ?? ''));
  });

  it('clears the KMS host: back to DNS discovery', async () => {
    const r = ok(await command<KmsShowResult>('vact.kmsClearHost', clientId));
    assert.equal(r.hostSource, 'dns');
    assert.equal(r.staticHost, null);
    await waitFor('DNS discovery in the panel', () => {
      const k = panelState(snap(clientId)!).kms;
      return k && !k.static && k.setting.startsWith('DNS discovery');
    });
  });
});
