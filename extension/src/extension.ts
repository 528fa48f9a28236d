import * as vscode from 'vscode';
import { referenceCatalogue } from '@vact/shared';

/** Activates the vact extension: registers its commands (the agent panel comes with the extension issue). */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('vact');
  context.subscriptions.push(
    output,
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
}

/** Nothing to release beyond context.subscriptions, which VS Code disposes. */
export function deactivate(): void {}
