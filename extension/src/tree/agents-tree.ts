// The Agents view: one row per agent with its state line, detail rows below. vscode edge over
// the pure view model in model/agent-view.ts.
import * as vscode from 'vscode';
import type { AgentSnapshot } from '../agents/agent-connection';
import type { Fleet } from '../agents/fleet';
import { detailRows, groupAgents, sortAgents, stateLine, stateLook, type GroupBy, type SortBy } from '../model/agent-view';

export type Node =
  | { kind: 'group'; label: string; agents: AgentSnapshot[] }
  | { kind: 'agent'; id: string }
  | { kind: 'detail'; agentId: string; label: string; value: string };

/** The contextValue of an agent row: agent.offline, agent.connecting, agent.online.user, agent.online.admin. */
export function contextValueOf(s: AgentSnapshot): string {
  if (s.kind !== 'online') return `agent.${s.kind}`;
  return `agent.online.${s.role ?? 'user'}`;
}

export class AgentsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly fleet: Fleet) {
    this.subscription = fleet.onDidChange(() => this.changed.fire(undefined));
  }

  private settings(): { groupBy: GroupBy; sortBy: SortBy } {
    const c = vscode.workspace.getConfiguration('vact.tree');
    return { groupBy: c.get<GroupBy>('groupBy', 'none'), sortBy: c.get<SortBy>('sortBy', 'name') };
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: Node): Node[] {
    const { groupBy, sortBy } = this.settings();
    if (!node) {
      const all = this.fleet.snapshots();
      if (groupBy === 'state') return groupAgents(all, sortBy).map((g) => ({ kind: 'group', label: g.label, agents: g.agents }));
      return sortAgents(all, sortBy).map((s) => ({ kind: 'agent', id: s.config.id }));
    }
    if (node.kind === 'group') return node.agents.map((s) => ({ kind: 'agent', id: s.config.id }));
    if (node.kind === 'agent') {
      const s = this.fleet.get(node.id)?.snapshot;
      return s ? detailRows(s).map((r) => ({ kind: 'detail', agentId: node.id, label: r.label, value: r.value })) : [];
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(`${node.label} (${node.agents.length})`, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.label}`;
      return item;
    }
    if (node.kind === 'detail') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.description = node.value;
      item.tooltip = `${node.label}: ${node.value}`;
      item.id = `${node.agentId}:${node.label}`;
      return item;
    }
    const s = this.fleet.get(node.id)?.snapshot;
    const item = new vscode.TreeItem(s?.config.name ?? node.id, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    if (!s) return item;
    const look = stateLook(s);
    item.description = stateLine(s);
    item.iconPath = new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
    item.contextValue = contextValueOf(s);
    item.tooltip = new vscode.MarkdownString(`**${s.config.name}** — ${s.config.url}${s.config.lab ? `\n\nlab ${s.config.lab.role} · ${s.config.lab.edition}` : ''}\n\n${stateLine(s)}`);
    item.command = { command: 'vact.openPanel', title: 'Open License Panel', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
