// Activation: builds the fleet and registers each feature. Everything else lives in its module.
import * as vscode from 'vscode';
import { referenceCatalogue } from '@vact/shared';
import { Fleet } from './agents/fleet';
import { connectControl } from './agents/control-connection';
import { ConfigStore } from './config-store';
import { AgentsTree, type Node } from './tree/agents-tree';
import { registerAgentCommands } from './commands/agent-commands';
import { registerLicenseCommands } from './commands/license-commands';
import { LicensePanels } from './panel/license-panel';
import { Dashboard } from './panel/dashboard';
import { registerStatusBar } from './status-bar';
import { resolveTargets } from './commands/targets';
import { registerMakProxyCommands } from './fleet/mak-proxy-commands';
import { registerKmsCommands } from './commands/kms-commands';

/** What the extension exports (its tests read the fleet and the tree through it). */
export interface VactApi {
  fleet: Fleet;
  tree: AgentsTree;
  panels: LicensePanels;
  /** Reminders shown as notifications, newest last. */
  reminders: string[];
}

export async function activate(context: vscode.ExtensionContext): Promise<VactApi> {
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0';
  const fleet = new Fleet({ connect: connectControl, clientName: `vact-vscode/${version}` });
  const store = new ConfigStore(context.secrets);
  const sync = (): void => fleet.sync(store.agents(), (id) => store.token(id));
  await store.loadTokens();
  sync();

  const tree = new AgentsTree(fleet);
  const view = vscode.window.createTreeView<Node>('vact.agents', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  const panels = new LicensePanels(fleet, context.extensionUri);
  const dashboard = new Dashboard(fleet, context.extensionUri, (id) => panels.open(id));
  const output = vscode.window.createOutputChannel('vact');
  const reminders: string[] = [];

  context.subscriptions.push(
    fleet,
    tree,
    view,
    panels,
    dashboard,
    output,
    ...registerAgentCommands(fleet, store, sync),
    ...registerLicenseCommands(fleet),
    ...registerKmsCommands(fleet),
    ...registerMakProxyCommands(fleet),
    ...registerStatusBar(fleet, reminders),
    vscode.commands.registerCommand('vact.openPanel', async (arg: unknown) => {
      const [c] = await resolveTargets(fleet, arg, undefined, false);
      return c ? panels.open(c.snapshot.config.id) !== undefined : false;
    }),
    vscode.commands.registerCommand('vact.openDashboard', () => dashboard.open()),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('vact.agents')) {
        await store.loadTokens();
        sync();
      }
      if (e.affectsConfiguration('vact.tree')) tree.refresh();
    }),
    context.secrets.onDidChange(async () => {
      await store.loadTokens();
      sync();
    }),
    vscode.commands.registerCommand('vact.showCatalogue', () => {
      const c = referenceCatalogue();
      output.clear();
      output.appendLine(`${c.name}: ${c.editions.length} editions in ${c.groups.length} product key groups`);
      for (const e of c.editions) {
        output.appendLine(`${e.id.padEnd(28)} ${e.group.padEnd(10)} ${e.kind.padEnd(7)} threshold ${String(e.threshold).padStart(2)}  ${e.kmsClientSetupKey}`);
      }
      output.show(true);
    }),
  );
  return { fleet, tree, panels, reminders };
}

/** Nothing to release beyond context.subscriptions, which VS Code disposes. */
export function deactivate(): void {}
