// Resolves a command's target agents from what VS Code passes (tree node, selection, id) or a picker.
import * as vscode from 'vscode';
import type { Fleet } from '../agents/fleet';
import type { AgentConnection } from '../agents/agent-connection';
import { stateLine } from '../model/agent-view';

function idOf(arg: unknown): string | null {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null) {
    const n = arg as { kind?: unknown; id?: unknown; agentId?: unknown };
    if (n.kind === 'agent' && typeof n.id === 'string') return n.id;
    if (n.kind === 'detail' && typeof n.agentId === 'string') return n.agentId;
  }
  return null;
}

/** The agents a command applies to: the multi-selection, the clicked node, an id, or a pick. */
export async function resolveTargets(fleet: Fleet, arg: unknown, selection: unknown, many: boolean): Promise<AgentConnection[]> {
  const ids = Array.isArray(selection) && selection.length > 0 ? selection.map(idOf) : [idOf(arg)];
  const found = ids.filter((id): id is string => id !== null).map((id) => fleet.get(id)).filter((c): c is AgentConnection => c !== undefined);
  if (found.length > 0) return many ? found : found.slice(0, 1);
  const items = fleet.snapshots().map((s) => ({ label: s.config.name, description: stateLine(s), detail: s.config.url, id: s.config.id }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No agents are configured yet: run "vact: Add Agent…" or "vact: Add Local Lab…".');
    return [];
  }
  if (many) {
    const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: 'Agents' });
    return (picked ?? []).map((p) => fleet.get(p.id)).filter((c): c is AgentConnection => c !== undefined);
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Agent' });
  const conn = picked ? fleet.get(picked.id) : undefined;
  return conn ? [conn] : [];
}
