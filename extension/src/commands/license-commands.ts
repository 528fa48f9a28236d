// Activate, install key, switch KMS <-> MAK, rearm, offline IID/CID: the license actions.
import * as vscode from 'vscode';
import type { AgentConnection } from '../agents/agent-connection';
import type { Fleet } from '../agents/fleet';
import { describeError, errorText, type Described } from '../model/errors';
import { decodeKey, keyProblem, kmsClientSetupKeyFor, kmsClientSetupKeys } from '../model/keys';
import { resolveTargets } from './targets';

/** What every action command returns (the extension-host tests read it). */
export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; error: Described };

export async function run<T>(conn: AgentConnection, title: string, work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    const value = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${title} on ${conn.snapshot.config.name}…` }, work);
    return { ok: true, value };
  } catch (err) {
    void vscode.window.showErrorMessage(`${conn.snapshot.config.name}: ${errorText(err)}`);
    return { ok: false, error: describeError(err) };
  }
}

export function needsAdmin(conn: AgentConnection, action: string): Outcome<never> | null {
  if (conn.snapshot.role === 'admin') return null;
  const error = { code: 'NEEDS_ADMIN', message: `${action} needs the admin token; ${conn.snapshot.config.name} is connected with the ${conn.snapshot.role ?? 'no'} token`, hint: 'Run "vact: Set Agent Token…" with the agent\'s admin.token.' };
  void vscode.window.showWarningMessage(`${error.message}. ${error.hint}`);
  return { ok: false, error };
}

async function askKey(conn: AgentConnection, prompt: string): Promise<string | undefined> {
  const edition = conn.snapshot.status?.edition ?? '';
  const ownKms = kmsClientSetupKeyFor(edition);
  type Item = vscode.QuickPickItem & { key?: string };
  const items: Item[] = [{ label: '$(edit) Enter a MAK or KMS host key…' }];
  for (const k of kmsClientSetupKeys()) items.push({ label: k.key, description: `KMS client setup key · ${k.name}${k.edition === edition ? ' (this edition)' : ''}`, key: k.key });
  if (ownKms) items.sort((a, b) => Number(b.key === ownKms) - Number(a.key === ownKms));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: prompt, matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.key) return picked.key;
  return vscode.window.showInputBox({ prompt, placeHolder: 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX', ignoreFocusOut: true, validateInput: (v) => keyProblem(v) });
}

export function registerLicenseCommands(fleet: Fleet): vscode.Disposable[] {
  const one = async (arg: unknown): Promise<AgentConnection | undefined> => (await resolveTargets(fleet, arg, undefined, false))[0];
  return [
    vscode.commands.registerCommand('vact.activate', async (arg: unknown, selection: unknown) => {
      const targets = await resolveTargets(fleet, arg, selection, true);
      const outcomes = await Promise.all(targets.map((c) => run(c, 'Activating', () => c.call('activate'))));
      return outcomes.length === 1 ? outcomes[0] : outcomes;
    }),
    vscode.commands.registerCommand('vact.activateAll', async (arg: unknown, selection: unknown) => {
      const targets = await resolveTargets(fleet, arg, selection, true);
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Activating agents', cancellable: true }, async (progress, token) => {
        const outcomes: Outcome[] = [];
        for (const c of targets) {
          if (token.isCancellationRequested) break;
          progress.report({ message: c.snapshot.config.name, increment: 100 / targets.length });
          try {
            outcomes.push({ ok: true, value: await c.call('activate') });
          } catch (err) {
            outcomes.push({ ok: false, error: describeError(err) });
          }
        }
        const failed = outcomes.filter((o) => !o.ok).length;
        void vscode.window.showInformationMessage(`Activated ${outcomes.length - failed} of ${targets.length} agents${failed ? ` (${failed} failed: see each agent's panel)` : ''}.`);
        return outcomes;
      });
    }),
    vscode.commands.registerCommand('vact.installKey', async (arg: unknown, second?: unknown, third?: unknown) => {
      // (node, selectedNodes) from the view's menu; (id, key) from code and tests.
      const targets = await resolveTargets(fleet, arg, Array.isArray(second) ? second : undefined, true);
      if (targets.length === 0) return undefined;
      for (const c of targets) {
        const denied = needsAdmin(c, 'Installing a product key');
        if (denied) return denied;
      }
      const given = typeof second === 'string' ? second : typeof third === 'string' ? third : undefined;
      const first = targets[0];
      const key = given ?? (await askKey(first, targets.length === 1 ? `Product key for ${first.snapshot.config.name}` : `Product key for ${targets.length} agents`));
      if (!key) return undefined;
      const problem = keyProblem(key);
      if (problem) {
        const error = { code: 'INVALID_KEY', message: `The product key is not valid: ${problem}`, hint: 'Check the key for typos: 25 characters in five groups of five.' };
        void vscode.window.showErrorMessage(`${error.message}. ${error.hint}`);
        return { ok: false, error } satisfies Outcome;
      }
      const canonical = decodeKey(key).key;
      const outcomes: Outcome[] = [];
      for (const c of targets) outcomes.push(await run(c, 'Installing the key', () => c.call('key.install', { key: canonical })));
      return outcomes.length === 1 ? outcomes[0] : outcomes;
    }),
    vscode.commands.registerCommand('vact.switchChannel', async (arg: unknown, makArg?: unknown) => {
      const c = await one(arg);
      if (!c) return undefined;
      const denied = needsAdmin(c, 'Switching KMS ↔ MAK');
      if (denied) return denied;
      const st = c.snapshot.status;
      if (st?.keyType === 'mak') {
        const kms = kmsClientSetupKeyFor(st.edition);
        if (!kms) return { ok: false, error: { code: 'UNKNOWN_EDITION', message: `No KMS client setup key for ${st.edition}`, hint: '' } } satisfies Outcome;
        return run(c, 'Switching to KMS', () => c.call('key.install', { key: kms }));
      }
      const mak = typeof makArg === 'string' ? makArg : await vscode.window.showInputBox({ prompt: `MAK for ${c.snapshot.config.name}`, placeHolder: 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX', ignoreFocusOut: true, validateInput: (v) => keyProblem(v) ?? (decodeKey(v).type === 'mak' ? null : 'This is not a MAK') });
      if (!mak) return undefined;
      const problem = keyProblem(mak) ?? (decodeKey(mak).type === 'mak' ? null : 'This is not a MAK');
      if (problem) return { ok: false, error: { code: 'INVALID_KEY', message: problem, hint: 'Paste the MAK issued by your authority.' } } satisfies Outcome;
      return run(c, 'Switching to MAK', () => c.call('key.install', { key: decodeKey(mak).key }));
    }),
    vscode.commands.registerCommand('vact.rearm', async (arg: unknown, opts?: { confirmed?: boolean }) => {
      const c = await one(arg);
      if (!c) return undefined;
      const denied = needsAdmin(c, 'Rearm');
      if (denied) return denied;
      const left = c.snapshot.status?.remainingRearms ?? 0;
      if (!opts?.confirmed) {
        const answer = await vscode.window.showWarningMessage(`Rearm ${c.snapshot.config.name}?`, { modal: true, detail: `This resets the grace period to 30 days and gives the machine a new CMID. ${left} rearm${left === 1 ? '' : 's'} left.` }, 'Rearm');
        if (answer !== 'Rearm') return undefined;
      }
      return run(c, 'Rearming', () => c.call('rearm'));
    }),
    vscode.commands.registerCommand('vact.showInstallationId', async (arg: unknown) => {
      const c = await one(arg);
      if (!c) return undefined;
      const outcome = await run(c, 'Reading the installation ID', () => c.call('offline.iid'));
      if (outcome.ok) {
        const copy = await vscode.window.showInformationMessage(`${c.snapshot.config.name} installation ID: ${outcome.value.installationId}`, 'Copy');
        if (copy) await vscode.env.clipboard.writeText(outcome.value.installationId);
      }
      return outcome;
    }),
    vscode.commands.registerCommand('vact.enterConfirmationId', async (arg: unknown, cidArg?: unknown) => {
      const c = await one(arg);
      if (!c) return undefined;
      const denied = needsAdmin(c, 'Entering a confirmation ID');
      if (denied) return denied;
      const cid = typeof cidArg === 'string' ? cidArg : await vscode.window.showInputBox({ prompt: `Confirmation ID for ${c.snapshot.config.name}`, ignoreFocusOut: true });
      if (!cid) return undefined;
      return run(c, 'Depositing the confirmation ID', () => c.call('offline.confirm', { confirmationId: cid.trim() }));
    }),
  ];
}
