// The status bar item for the pinned agent, and reminders as notifications.
import * as vscode from 'vscode';
import type { Fleet } from './agents/fleet';
import { stateLine, stateLook } from './model/agent-view';
import { ReminderCoalescer, ReminderGate } from './model/reminders';
import type { AgentConfig, Reminder } from './agents/agent-connection';

/** `shown` collects the reminders shown as notifications (newest last, at most 50). */
export function registerStatusBar(fleet: Fleet, shown: string[] = []): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('vact.pinned', vscode.StatusBarAlignment.Left, 10);
  item.name = 'vact: pinned agent';
  const update = (): void => {
    const pinned = vscode.workspace.getConfiguration('vact').get<string>('pinnedAgent', '');
    const s = (pinned ? fleet.get(pinned)?.snapshot : undefined) ?? (fleet.snapshots().length === 1 ? fleet.snapshots()[0] : undefined);
    if (!s) {
      item.hide();
      return;
    }
    const look = stateLook(s);
    item.text = `$(${look.icon.replace('~spin', '')}) ${s.config.name}: ${stateLine(s)}`;
    item.tooltip = `${s.config.name} (${s.config.url}) — open its license panel`;
    item.backgroundColor = look.tone === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : look.tone === 'warn' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.command = { command: 'vact.openPanel', title: 'Open License Panel', arguments: [s.config.id] };
    item.show();
  };
  const gate = new ReminderGate();
  const coalescer = new ReminderCoalescer<{ agent: AgentConfig; reminder: Reminder }>(
    (_id, { agent, reminder }) => {
      shown.push(`${agent.name}: ${reminder.message}`);
      shown.splice(0, Math.max(0, shown.length - 50));
      void vscode.window.showWarningMessage(`${agent.name}: ${reminder.message}`, 'Open Panel', 'Activate Now').then((choice) => {
        if (choice === 'Open Panel') void vscode.commands.executeCommand('vact.openPanel', agent.id);
        if (choice === 'Activate Now') void vscode.commands.executeCommand('vact.activate', agent.id);
      });
    },
    (fn, ms) => {
      const h = setTimeout(fn, ms);
      return { dispose: () => clearTimeout(h) };
    },
  );
  update();
  return [
    item,
    fleet.onDidChange(() => update()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('vact.pinnedAgent')) update();
    }),
    fleet.onReminder(({ agent, reminder }) => {
      if (vscode.workspace.getConfiguration('vact').get<boolean>('reminders.notify', true) && gate.admit(agent.id, reminder)) coalescer.push(agent.id, { agent, reminder });
    }),
    coalescer,
  ];
}
