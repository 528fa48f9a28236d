// The KMS client settings: set the KMS host (HOST[:PORT]), clear it (DNS discovery again), set
// the activation and renewal intervals. Admin only; input checked before it is sent.
import * as vscode from 'vscode';
import type { KmsShowResult } from '@vact/shared';
import type { Fleet } from '../agents/fleet';
import { formatMinutes, parseIntervals, parseKmsHost } from '../model/kms-input';
import { needsAdmin, run, type Outcome } from './license-commands';
import { resolveTargets } from './targets';

/** A refusal before anything is sent: shown, and returned like an agent's error. */
function refused(code: string, message: string, hint: string): Outcome<never> {
  void vscode.window.showErrorMessage(`${message}. ${hint}`);
  return { ok: false, error: { code, message, hint } };
}

export function registerKmsCommands(fleet: Fleet): vscode.Disposable[] {
  const one = async (arg: unknown) => (await resolveTargets(fleet, arg, undefined, false))[0];
  return [
    vscode.commands.registerCommand('vact.kmsSetHost', async (arg: unknown, hostArg?: unknown): Promise<Outcome<KmsShowResult> | undefined> => {
      const c = await one(arg);
      if (!c) return undefined;
      const denied = needsAdmin(c, 'Setting the KMS host');
      if (denied) return denied;
      const current = c.snapshot.kms?.staticHost ?? '';
      const text = typeof hostArg === 'string' ? hostArg : await vscode.window.showInputBox({
        prompt: `KMS host for ${c.snapshot.config.name} (HOST or HOST:PORT; default port 1688)`, value: current, placeHolder: 'kms1.lab.example:1688', ignoreFocusOut: true,
        validateInput: (v) => { const r = parseKmsHost(v); return 'error' in r ? r.error : null; },
      });
      if (text === undefined) return undefined;
      const parsed = parseKmsHost(text);
      if ('error' in parsed) return refused('INVALID_CONFIG', parsed.error, 'Give HOST or HOST:PORT, e.g. kms1.lab.example or 10.0.0.5:1688.');
      return run(c, 'Setting the KMS host', () => c.call('kms.set', parsed.params));
    }),
    vscode.commands.registerCommand('vact.kmsClearHost', async (arg: unknown): Promise<Outcome<KmsShowResult> | undefined> => {
      const c = await one(arg);
      if (!c) return undefined;
      const denied = needsAdmin(c, 'Clearing the KMS host');
      if (denied) return denied;
      return run(c, 'Clearing the KMS host (DNS discovery)', () => c.call('kms.clear'));
    }),
    vscode.commands.registerCommand('vact.kmsIntervals', async (arg: unknown, given?: { activation?: string; renewal?: string }): Promise<Outcome<KmsShowResult> | undefined> => {
      const c = await one(arg);
      if (!c) return undefined;
      const denied = needsAdmin(c, 'Setting the KMS intervals');
      if (denied) return denied;
      const iv = c.snapshot.kms?.intervals ?? c.snapshot.status?.intervals;
      const check = (v: string): string | null => {
        if (!v.trim()) return null;
        const r = parseIntervals(v, '');
        return 'error' in r ? r.error.replace(/^Activation interval: /, '') : null;
      };
      let activation = given?.activation;
      let renewal = given?.renewal;
      if (!given) {
        activation = await vscode.window.showInputBox({ prompt: `Activation (retry) interval for ${c.snapshot.config.name}: 15m … 30d, e.g. 2h (empty: unchanged)`, value: iv ? formatMinutes(iv.activationMinutes).replace(' ', '') : '', ignoreFocusOut: true, validateInput: check });
        if (activation === undefined) return undefined;
        renewal = await vscode.window.showInputBox({ prompt: `Renewal interval for ${c.snapshot.config.name}: 15m … 30d, e.g. 7d (empty: unchanged)`, value: iv ? formatMinutes(iv.renewalMinutes).replace(' ', '') : '', ignoreFocusOut: true, validateInput: check });
        if (renewal === undefined) return undefined;
      }
      const parsed = parseIntervals(activation ?? '', renewal ?? '');
      if ('error' in parsed) return refused('INVALID_CONFIG', parsed.error, 'Intervals are 15 minutes to 30 days: a number of minutes or a duration such as 2h, 7d, 1d12h.');
      return run(c, 'Setting the KMS intervals', () => c.call('kms.intervals', parsed.params));
    }),
  ];
}


