// One license panel per agent: posts the panel state on every change, runs the buttons' actions.
import * as vscode from 'vscode';
import type { Fleet } from '../agents/fleet';
import { panelState } from '../model/panel-model';
import { webviewHtml, webviewOptions } from './html';
import { FromWebviewSchema, type PanelAction, type ToWebview } from './messages';

const COMMAND_OF: Record<PanelAction, string> = {
  activate: 'vact.activate',
  installKey: 'vact.installKey',
  switchChannel: 'vact.switchChannel',
  rearm: 'vact.rearm',
  showInstallationId: 'vact.showInstallationId',
  enterConfirmationId: 'vact.enterConfirmationId',
  refresh: 'vact.refresh',
  kmsSetHost: 'vact.kmsSetHost',
  kmsClearHost: 'vact.kmsClearHost',
  kmsIntervals: 'vact.kmsIntervals',
};

export class LicensePanels implements vscode.Disposable {
  private readonly panels = new Map<string, LicensePanel>();

  constructor(private readonly fleet: Fleet, private readonly extensionUri: vscode.Uri) {}

  open(agentId: string): LicensePanel | undefined {
    const existing = this.panels.get(agentId);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const conn = this.fleet.get(agentId);
    if (!conn) return undefined;
    const panel = new LicensePanel(this.fleet, agentId, this.extensionUri, () => this.panels.delete(agentId));
    this.panels.set(agentId, panel);
    return panel;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
  }
}

export class LicensePanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private disposed = false;

  constructor(private readonly fleet: Fleet, private readonly agentId: string, extensionUri: vscode.Uri, onGone: () => void) {
    const name = fleet.get(agentId)?.snapshot.config.name ?? agentId;
    this.panel = vscode.window.createWebviewPanel('vact.license', `License: ${name}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'vact.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'panel.js', `License: ${name}`);
    this.disposables.push(
      this.panel.onDidDispose(() => {
        onGone();
        this.dispose();
      }),
      this.panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      fleet.onDidChange((s) => {
        if (s === null || s.config.id === this.agentId) this.post();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(): void {
    const conn = this.fleet.get(this.agentId);
    if (!this.ready || !conn || this.disposed) return;
    this.panel.title = `License: ${conn.snapshot.config.name}`;
    const msg: ToWebview = { type: 'state', state: panelState(conn.snapshot) };
    void this.panel.webview.postMessage(msg);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = FromWebviewSchema.safeParse(raw);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type === 'ready') {
      this.ready = true;
      this.post();
      return;
    }
    if (msg.type !== 'action') return;
    const busy: ToWebview = { type: 'busy', action: msg.action, message: null };
    void this.panel.webview.postMessage(busy);
    try {
      await vscode.commands.executeCommand(COMMAND_OF[msg.action], this.agentId);
    } finally {
      if (!this.disposed) {
        const idle: ToWebview = { type: 'busy', action: null, message: null };
        void this.panel.webview.postMessage(idle);
        this.post();
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
