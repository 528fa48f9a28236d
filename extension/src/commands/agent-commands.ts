// Adding, importing, renaming and removing agents; view options. Tokens go to SecretStorage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Fleet } from '../agents/fleet';
import { readLabFolder } from '../agents/lab-folder';
import type { ConfigStore } from '../config-store';
import { resolveTargets } from './targets';

export interface AddAgentArgs {
  name: string;
  url: string;
  token: string;
}

function validUrl(v: string): string | null {
  return /^wss?:\/\/[^\s/]+(:\d+)?\/?$/.test(v.trim()) ? null : 'A control API URL: ws://HOST:PORT or wss://HOST:PORT';
}

/** A `.lab` folder in the workspace, when there is exactly one. */
function workspaceLab(): string | null {
  const found = (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, '.lab')).filter((d) => fs.existsSync(d));
  return found.length === 1 ? (found[0] ?? null) : null;
}

export function registerAgentCommands(fleet: Fleet, store: ConfigStore, sync: () => void): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('vact.addAgent', async (args?: AddAgentArgs) => {
      const url = args?.url ?? (await vscode.window.showInputBox({ prompt: 'Control API URL of the agent', value: 'ws://127.0.0.1:1689', validateInput: validUrl, ignoreFocusOut: true }));
      if (!url) return undefined;
      const name = args?.name ?? (await vscode.window.showInputBox({ prompt: 'Name shown in the Agents view', value: new URL(url).host, ignoreFocusOut: true }));
      if (!name) return undefined;
      const token = args?.token ?? (await vscode.window.showInputBox({ prompt: `Token for ${name} (the agent's admin.token or user.token)`, password: true, ignoreFocusOut: true }));
      if (!token) return undefined;
      const config = await store.add(name.trim(), url.trim().replace(/\/$/, ''), token.trim());
      sync();
      return config.id;
    }),
    vscode.commands.registerCommand('vact.addLab', async (dirArg?: string) => {
      let dir = typeof dirArg === 'string' ? dirArg : workspaceLab();
      if (!dir) {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Add Lab', title: 'The folder `vact lab` writes (.lab)' });
        dir = picked?.[0]?.fsPath ?? null;
      }
      if (!dir) return [];
      let agents;
      try {
        agents = readLabFolder(dir);
      } catch (err) {
        void vscode.window.showErrorMessage(`${dir}: ${(err as Error).message}`);
        return [];
      }
      if (agents.length === 0) {
        void vscode.window.showWarningMessage(`${dir} holds no running lab agents (start the lab with \`npx vact lab\`).`);
        return [];
      }
      const ids: string[] = [];
      for (const a of agents) ids.push((await store.add(a.name, a.url, a.token, a.lab)).id);
      sync();
      void vscode.window.showInformationMessage(`Added ${agents.length} lab agent${agents.length === 1 ? '' : 's'}: ${agents.map((a) => (a.lab ? `${a.name} (${a.lab.role})` : a.name)).join(', ')}.`);
      return ids;
    }),
    vscode.commands.registerCommand('vact.removeAgent', async (arg: unknown, selection: unknown) => {
      const targets = await resolveTargets(fleet, arg, selection, true);
      for (const c of targets) await store.remove(c.snapshot.config.id);
      sync();
    }),
    vscode.commands.registerCommand('vact.renameAgent', async (arg: unknown, nameArg?: string) => {
      const [c] = await resolveTargets(fleet, arg, undefined, false);
      if (!c) return;
      const name = nameArg ?? (await vscode.window.showInputBox({ prompt: 'New name', value: c.snapshot.config.name }));
      if (!name) return;
      await store.rename(c.snapshot.config.id, name.trim());
      sync();
    }),
    vscode.commands.registerCommand('vact.setToken', async (arg: unknown, tokenArg?: string) => {
      const [c] = await resolveTargets(fleet, arg, undefined, false);
      if (!c) return;
      const token = tokenArg ?? (await vscode.window.showInputBox({ prompt: `Token for ${c.snapshot.config.name}`, password: true, ignoreFocusOut: true }));
      if (!token) return;
      await store.setToken(c.snapshot.config.id, token.trim());
      sync();
    }),
    vscode.commands.registerCommand('vact.refresh', async () => {
      for (const s of fleet.snapshots()) {
        const c = fleet.get(s.config.id);
        if (!c) continue;
        if (s.kind === 'online') await c.refresh().catch(() => undefined);
        else c.reconnectNow();
      }
    }),
    vscode.commands.registerCommand('vact.pinAgent', async (arg: unknown) => {
      const [c] = await resolveTargets(fleet, arg, undefined, false);
      if (c) await vscode.workspace.getConfiguration('vact').update('pinnedAgent', c.snapshot.config.id, vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand('vact.toggleGrouping', async () => {
      const c = vscode.workspace.getConfiguration('vact.tree');
      await c.update('groupBy', c.get('groupBy') === 'state' ? 'none' : 'state', vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand('vact.toggleSort', async () => {
      const c = vscode.workspace.getConfiguration('vact.tree');
      await c.update('sortBy', c.get('sortBy') === 'deadline' ? 'name' : 'deadline', vscode.ConfigurationTarget.Global);
    }),
  ];
}
