// What both extension-host suites need from the running VS Code: the runner's fixture and the
// extension's commands called as a user's click calls them.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Outcome } from '../../commands/license-commands';
import type { Fixture } from './agent-process';

/** The fixture.json the runner wrote into the opened workspace. */
export function fixture(): Fixture {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs the workspace the runner prepared (fixture.json)');
  return JSON.parse(fs.readFileSync(path.join(folder.uri.fsPath, 'fixture.json'), 'utf8')) as Fixture;
}

/** Runs a vact command and returns its outcome (every vact command returns one). */
export async function command<T>(id: string, ...args: unknown[]): Promise<Outcome<T>> {
  const r = await vscode.commands.executeCommand<Outcome<T> | undefined>(id, ...args);
  assert.ok(r, `${id} returned nothing`);
  return r;
}

/** The value of a successful outcome; fails the test with the error otherwise. */
export function ok<T>(o: Outcome<T>): T {
  if (!o.ok) assert.fail(`expected success, got ${o.error.code}: ${o.error.message}`);
  return o.value;
}
