// The fleet dashboard: every configured agent in one table (one panel for the window).
import * as vscode from 'vscode';
import type { Fleet } from '../agents/fleet';
import { dashboardRows } from '../model/dashboard-model';
import { webviewHtml, webviewOptions } from './html';
import { FromWebviewSchema, type ToWebview } from './messages';

export class Dashboard implements vscode.Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private disposables: vscode.Disposable[] = [];
  private ready = false;

  constructor(private readonly fleet: Fleet, private readonly extensionUri: vscode.Uri, private readonly openAgent: (id: string) => void) {}

  open(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('vact.dashboard', 'vact Fleet', vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'vact.svg');
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'dashboard.js', 'vact Fleet');
    this.disposables.push(
      panel.onDidDispose(() => this.close()),
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const parsed = FromWebviewSchema.safeParse(raw);
        if (!parsed.success) return;
        if (parsed.data.type === 'ready') {
          this.ready = true;
          this.post();
        } else if (parsed.data.type === 'open') this.openAgent(parsed.data.agentId);
        else if (parsed.data.type === 'action' && parsed.data.agentId) void vscode.commands.executeCommand('vact.activate', parsed.data.agentId);
      }),
      this.fleet.onDidChange(() => this.post()),
    );
  }

  private post(): void {
    if (!this.panel || !this.ready) return;
    const msg: ToWebview = { type: 'fleet', rows: dashboardRows(this.fleet.snapshots()) };
    void this.panel.webview.postMessage(msg);
  }

  private close(): void {
    this.panel = null;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  dispose(): void {
    const p = this.panel;
    this.close();
    p?.dispose();
  }
}
