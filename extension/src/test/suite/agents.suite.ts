// The extension against real agent processes, with the real vscode API: add an agent, see its
// state in the tree, run the actions, user token limits, an agent killed and restarted.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VactApi } from '../../extension';
import type { Outcome } from '../../commands/license-commands';
import type { StatusResult } from '@vact/shared';
import { AgentProcess, freePort, waitFor, type Fixture } from './agent-process';
import { command, fixture, ok } from './suite-commands';

describe('vact extension against real agents', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let api: VactApi;
  let agent: AgentProcess;
  let id = '';
  let userId = '';

  const snap = () => api.fleet.get(id)?.snapshot;
  const treeLine = (agentId: string): string => {
    const nodes = api.tree.getChildren();
    const node = nodes.find((n) => n.kind === 'agent' && n.id === agentId);
    if (!node) return '';
    return String(api.tree.getTreeItem(node).description ?? '');
  };

  before(async () => {
    fx = fixture();
    agent = new AgentProcess(fx, 'suite-a', await freePort());
    await agent.start();
    const ext = vscode.extensions.getExtension<VactApi>('vact.vact-vscode');
    assert.ok(ext, 'the extension is installed');
    assert.equal(ext.isActive, false, 'activation is lazy: nothing has opened the view or run a command yet');
    const t0 = Date.now();
    api = await ext.activate();
    console.log(`      (activation in the real extension host: ${Date.now() - t0} ms)`);
  });

  after(async () => {
    for (const i of [id, userId]) if (i) await vscode.commands.executeCommand('vact.removeAgent', i);
    await agent.kill();
  });

  it('adds an agent (token into secret storage, not settings) and shows its state in the tree', async () => {
    id = (await vscode.commands.executeCommand<string>('vact.addAgent', { name: 'suite-a', url: agent.url, token: agent.token('admin') })) ?? '';
    assert.ok(id);
    await waitFor('the agent online', () => snap()?.kind === 'online');
    assert.equal(snap()?.role, 'admin');
    const settings = JSON.stringify(vscode.workspace.getConfiguration('vact').get('agents'));
    assert.ok(settings.includes(agent.url) && !settings.includes(agent.token('admin')), 'the URL is in settings, the token is not');
    assert.match(treeLine(id), /^Initial grace · KMS · \d+ d left/);
    const item = api.tree.getTreeItem({ kind: 'agent', id });
    assert.equal(item.contextValue, 'agent.online.admin');
    const details = api.tree.getChildren({ kind: 'agent', id }).map((n) => (n.kind === 'detail' ? `${n.label}=${n.value}` : ''));
    assert.ok(details.includes(`CMID=${snap()?.status?.cmid ?? '?'}`), details.join(', '));
  });

  it('rearms as admin after confirmation: one rearm fewer, a new CMID', async () => {
    const before = snap()?.status;
    assert.ok(before);
    const after = ok(await command<StatusResult>('vact.rearm', id, { confirmed: true }));
    assert.equal(after.remainingRearms, before.remainingRearms - 1);
    assert.notEqual(after.cmid, before.cmid);
    await waitFor('the tree to show the new rearm count', () => snap()?.status?.remainingRearms === before.remainingRearms - 1);
  });

  it('Activate on a KMS client without a KMS host shows the catalogue error', async () => {
    const o = await command('vact.activate', id);
    assert.equal(o.ok, false);
    if (!o.ok) assert.equal(o.error.code, 'NO_KMS_HOST');
    await waitFor('the last error in the tree', () => treeLine(id).includes('NO_KMS_HOST'));
  });

  it('shows a state change the agent pushes within a second, without asking (grace runs out on its simulated clock)', async () => {
    const before = snap()?.status?.status;
    assert.equal(before, 'InitialGrace');
    await new Promise((r) => setTimeout(r, 1800)); // let any reminder from the earlier steps be shown first
    const remindersBefore = api.reminders.length;
    // Another administrator moves the agent's clock past the end of grace, from the CLI.
    await promisify(execFile)(fx.node, [fx.vact, 'clock', 'advance', '31d', '--agent', agent.url, '--state-dir', agent.stateDir, '--json']);
    const t0 = Date.now();
    await waitFor('Notification in the tree', () => treeLine(id).startsWith('Notification'), 1000);
    assert.ok(Date.now() - t0 <= 1000);
    assert.equal(api.tree.getTreeItem({ kind: 'agent', id }).iconPath instanceof vscode.ThemeIcon, true);
    // The reminder the agent pushes for its new state becomes one notification.
    await waitFor('a reminder notification', () => api.reminders.length > remindersBefore, 8000);
    await new Promise((r) => setTimeout(r, 1800)); // longer than the coalescing window: no second toast follows
    // The agent catches up on every missed slot at once; the burst becomes one toast, the latest.
    const fresh = api.reminders.slice(remindersBefore);
    assert.equal(fresh.length, 1, fresh.join(' | '));
    assert.match(fresh[0] ?? '', /^suite-a: .*grace period has ended/);
  });

  it('refuses a mistyped key before sending it, then installs a MAK (activated by the authority)', async () => {
    const bad = await command('vact.installKey', id, 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA');
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.code, 'INVALID_KEY');
    const r = ok(await command<{ status: StatusResult }>('vact.installKey', id, fx.makKey));
    assert.equal(r.status.status, 'Licensed');
    await waitFor('Licensed · MAK in the tree', () => treeLine(id).startsWith('Licensed · MAK'));
  });

  it('switches MAK -> KMS -> MAK in one action each', async () => {
    const kms = ok(await command<{ status: StatusResult }>('vact.switchChannel', id));
    assert.equal(kms.status.keyType, 'kms-client');
    await waitFor('KMS in the tree', () => treeLine(id).includes('· KMS'));
    const mak = ok(await command<{ status: StatusResult }>('vact.switchChannel', id, fx.makKey));
    assert.equal(mak.status.keyType, 'mak');
    assert.equal(mak.status.channel, 'MAK');
    assert.equal(mak.status.status, 'Licensed');
    await waitFor('Licensed · MAK in the tree', () => treeLine(id).startsWith('Licensed · MAK'));
  });

  it('MAK proxy through files: export the request (no names or URLs in it), answer it at the authority, import the response', async () => {
    const req = path.join(fx.dir, 'request.json');
    const resp = path.join(fx.dir, 'response.json');
    const exported = await vscode.commands.executeCommand<{ count: number }>('vact.makProxyExport', undefined, [id], { file: req });
    assert.equal(exported?.count, 1);
    const text = fs.readFileSync(req, 'utf8');
    assert.ok(!text.includes('suite-a') && !text.includes(agent.url) && !text.includes(snap()?.status?.cmid ?? '?'), text);
    await vscode.commands.executeCommand('vact.makProxyAnswer', { file: req, out: resp, authorityUrl: fx.authorityUrl });
    const report = await vscode.commands.executeCommand<{ deposited: string[]; failed: unknown[] }>('vact.makProxyImport', undefined, [id], { file: resp });
    assert.deepEqual(report, { deposited: ['suite-a'], failed: [] });
    await waitFor('Licensed · offline in the tree', () => treeLine(id).startsWith('Licensed · offline'));
  });

  it('MAK proxy online: one batch to the authority, confirmation IDs deposited', async () => {
    const report = await vscode.commands.executeCommand<{ deposited: string[]; failed: unknown[] }>('vact.makProxy', undefined, [id], { authorityUrl: fx.authorityUrl });
    assert.deepEqual(report, { deposited: ['suite-a'], failed: [] });
    assert.equal(snap()?.status?.status, 'Licensed');
  });

  it('a user-token connection cannot rearm (the extension refuses, and so does the agent)', async () => {
    userId = (await vscode.commands.executeCommand<string>('vact.addAgent', { name: 'suite-a (user)', url: agent.url.replace('127.0.0.1', 'localhost'), token: agent.token('user') })) ?? '';
    await waitFor('the user connection online', () => api.fleet.get(userId)?.snapshot.kind === 'online');
    const conn = api.fleet.get(userId);
    assert.ok(conn);
    assert.equal(conn.snapshot.role, 'user');
    assert.equal(api.tree.getTreeItem({ kind: 'agent', id: userId }).contextValue, 'agent.online.user');
    const before = conn.snapshot.status?.remainingRearms;
    const o = await command('vact.rearm', userId, { confirmed: true });
    assert.equal(o.ok, false);
    if (!o.ok) assert.equal(o.error.code, 'NEEDS_ADMIN');
    await assert.rejects(conn.call('rearm'), (e: { code?: string }) => e.code === 'NEEDS_ADMIN');
    assert.equal(ok(await command<StatusResult>('vact.activate', userId)).status, 'Licensed', 'a user may activate');
    assert.equal((await conn.call('status')).remainingRearms, before);
  });

  it('fleet actions on a selection: activate all, install a key on all (refused for the user-token connection)', async () => {
    const all = await vscode.commands.executeCommand<Outcome[]>('vact.activateAll', undefined, [id, userId]);
    assert.deepEqual(all?.map((o) => o.ok), [true, true]);
    const refused = await command('vact.installKey', undefined, [id, userId], fx.makKey);
    assert.equal(refused.ok, false);
    const adminOnly = await command('vact.installKey', undefined, [id], fx.makKey);
    assert.equal(adminOnly.ok, true);
  });

  it('shows a killed agent as offline and brings it back when it restarts', async () => {
    await agent.kill();
    await waitFor('offline in the tree', () => treeLine(id) === 'offline');
    assert.equal(snap()?.kind, 'offline');
    await agent.start();
    await waitFor('back online', () => snap()?.kind === 'online', 40_000);
    assert.match(treeLine(id), /^Licensed · /);
  });
});
