// The MAK proxy commands: online (one batch to the authority) and through files (isolated labs).
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { Fleet } from '../agents/fleet';
import { errorText } from '../model/errors';
import { resolveTargets } from '../commands/targets';
import { collect, confirmBatch, deposit, requestFile, RequestFileSchema, responseFile, ResponseFileSchema, type ProxyReport } from './mak-proxy';

export interface MakProxyOptions {
  authorityUrl?: string;
  /** For the file flow without dialogs (tests and scripts). */
  file?: string;
  out?: string;
}

function summary(report: ProxyReport, what: string): void {
  const failed = report.failed.map((f) => `${f.name}: ${f.error.message} (${f.error.code})`).join('; ');
  const text = `${what}: ${report.deposited.length} agent${report.deposited.length === 1 ? '' : 's'} activated${failed ? `; failed — ${failed}` : ''}.`;
  if (report.failed.length) void vscode.window.showWarningMessage(text);
  else void vscode.window.showInformationMessage(text);
}

async function authorityUrl(fleet: Fleet, opts?: MakProxyOptions): Promise<string | undefined> {
  if (opts?.authorityUrl) return opts.authorityUrl;
  const configured = vscode.workspace.getConfiguration('vact').get<string>('authorityUrl', '');
  const fromAgent = fleet.snapshots().map((s) => s.status?.details?.authorityUrl).find((u): u is string => typeof u === 'string' && u.length > 0);
  return vscode.window.showInputBox({ prompt: 'Activation authority URL', value: configured || fromAgent || 'http://127.0.0.1:8080', ignoreFocusOut: true });
}

export function registerMakProxyCommands(fleet: Fleet): vscode.Disposable[] {
  const progress = <T>(title: string, work: (token: vscode.CancellationToken, step: (m: string) => void) => Promise<T>): Thenable<T> =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (p, token) => work(token, (message) => p.report({ message })));

  return [
    vscode.commands.registerCommand('vact.makProxy', async (arg: unknown, selection: unknown, opts?: MakProxyOptions) => {
      const targets = await resolveTargets(fleet, arg, selection, true);
      if (targets.length === 0) return undefined;
      const url = await authorityUrl(fleet, opts);
      if (!url) return undefined;
      const report: ProxyReport = { deposited: [], failed: [] };
      await progress('MAK proxy', async (token, step) => {
        step(`collecting installation IDs from ${targets.length} agents`);
        const items = await collect(targets, report, token);
        if (items.length === 0 || token.isCancellationRequested) return;
        step(`asking ${url} for ${items.length} confirmation IDs`);
        try {
          const ids = items.map((i) => i.installationId);
          const batch = await confirmBatch(url, ids, items.map((i) => i.catalogueDigest));
          step('depositing confirmation IDs');
          await deposit(items, responseFile(ids, batch), report, token);
        } catch (err) {
          for (const i of items) report.failed.push({ name: i.conn.snapshot.config.name, error: { code: 'AUTHORITY', message: errorText(err), hint: '' } });
        }
      });
      summary(report, 'MAK proxy');
      return report;
    }),
    vscode.commands.registerCommand('vact.makProxyExport', async (arg: unknown, selection: unknown, opts?: MakProxyOptions) => {
      const targets = await resolveTargets(fleet, arg, selection, true);
      if (targets.length === 0) return undefined;
      const report: ProxyReport = { deposited: [], failed: [] };
      const items = await progress('Collecting installation IDs', (token) => collect(targets, report, token));
      if (items.length === 0) {
        summary(report, 'MAK proxy request');
        return report;
      }
      const file = opts?.file ?? (await vscode.window.showSaveDialog({ title: 'Save the MAK proxy request', filters: { 'vact request': ['json'] }, defaultUri: vscode.Uri.file('vact-mak-request.json') }))?.fsPath;
      if (!file) return undefined;
      await fs.writeFile(file, JSON.stringify(requestFile(items, new Date()), null, 2) + '\n');
      void vscode.window.showInformationMessage(`Saved ${items.length} installation IDs to ${file}. On a machine that reaches the authority run "vact: Answer MAK Proxy Request…", bring the response back and run "vact: Import MAK Proxy Response…".`);
      return { file, count: items.length, failed: report.failed };
    }),
    vscode.commands.registerCommand('vact.makProxyAnswer', async (opts?: MakProxyOptions) => {
      const file = opts?.file ?? (await vscode.window.showOpenDialog({ title: 'The MAK proxy request', canSelectMany: false, filters: { 'vact request': ['json'] } }))?.[0]?.fsPath;
      if (!file) return undefined;
      const parsed = RequestFileSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
      if (!parsed.success) {
        void vscode.window.showErrorMessage(`${file} is not a vact MAK proxy request.`);
        return undefined;
      }
      const url = await authorityUrl(fleet, opts);
      if (!url) return undefined;
      const out = opts?.out ?? (await vscode.window.showSaveDialog({ title: 'Save the MAK proxy response', filters: { 'vact response': ['json'] }, defaultUri: vscode.Uri.file('vact-mak-response.json') }))?.fsPath;
      if (!out) return undefined;
      try {
        const ids = parsed.data.installationIds;
        const batch = await progress(`Asking ${url} for ${ids.length} confirmation IDs`, () => confirmBatch(url, ids, parsed.data.catalogueDigests));
        await fs.writeFile(out, JSON.stringify(responseFile(ids, batch), null, 2) + '\n');
        void vscode.window.showInformationMessage(`Saved ${batch.results.filter((r) => r.ok).length} of ${ids.length} confirmation IDs to ${out}.`);
        return { out };
      } catch (err) {
        void vscode.window.showErrorMessage(`The authority refused the batch: ${errorText(err)}`);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('vact.makProxyImport', async (arg: unknown, selection: unknown, opts?: MakProxyOptions) => {
      const file = opts?.file ?? (await vscode.window.showOpenDialog({ title: 'The MAK proxy response', canSelectMany: false, filters: { 'vact response': ['json'] } }))?.[0]?.fsPath;
      if (!file) return undefined;
      const parsed = ResponseFileSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
      if (!parsed.success) {
        void vscode.window.showErrorMessage(`${file} is not a vact MAK proxy response.`);
        return undefined;
      }
      const targets = await resolveTargets(fleet, arg, selection, true);
      const report: ProxyReport = { deposited: [], failed: [] };
      await progress('Depositing confirmation IDs', async (token) => deposit(await collect(targets, report, token), parsed.data, report, token));
      summary(report, 'MAK proxy response');
      return report;
    }),
  ];
}
