#!/usr/bin/env node
// The extension's bundle size, packaged size, and activation time: the bundle (out/extension.js)
// is required and activate() run with a minimal stand-in for the `vscode` module and no agents
// configured — the cost VS Code pays when the Agents view is first opened. Build first:
// `npm run package` (or `node extension/esbuild.mjs`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const ext = path.resolve(__dirname, '../extension');
const bundle = path.join(ext, 'out/extension.js');
if (!fs.existsSync(bundle)) {
  console.error('extension bundle missing: run `npm run package` first');
  process.exit(1);
}

const disposable = () => ({ dispose() {} });
class EventEmitter { constructor() { this.event = () => disposable(); } fire() {} dispose() {} }
const vscodeStub = {
  EventEmitter, Disposable: class { dispose() {} },
  ThemeIcon: class { constructor(id) { this.id = id; } }, ThemeColor: class { constructor(id) { this.id = id; } },
  TreeItem: class { constructor(label) { this.label = label; } }, TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  MarkdownString: class { constructor(v) { this.value = v; } }, StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { Notification: 15 }, ConfigurationTarget: { Global: 1 }, ViewColumn: { Active: -1 },
  Uri: { joinPath: (u, ...p) => ({ fsPath: path.join(u.fsPath, ...p) }) },
  window: {
    createTreeView: () => disposable(), createOutputChannel: () => ({ ...disposable(), appendLine() {}, clear() {}, show() {} }),
    createStatusBarItem: () => ({ ...disposable(), show() {}, hide() {} }),
  },
  commands: { registerCommand: () => disposable() },
  workspace: { getConfiguration: () => ({ get: (_k, d) => d, update: async () => undefined }), onDidChangeConfiguration: () => disposable(), workspaceFolders: [] },
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscodeStub };

const context = {
  subscriptions: [], extensionUri: { fsPath: ext }, extension: { packageJSON: { version: '0' } },
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: () => disposable() },
};
(async () => {
  const t0 = process.hrtime.bigint();
  const mod = require(bundle);
  const t1 = process.hrtime.bigint();
  await mod.activate(context);
  const t2 = process.hrtime.bigint();
  for (const d of context.subscriptions) d.dispose();
  const kib = (f) => (fs.statSync(f).size / 1024).toFixed(0);
  const vsix = fs.readdirSync(path.resolve(__dirname, '../dist')).find((f) => /^vact-.*\.vsix$/.test(f));
  const ms = (a, b) => (Number(b - a) / 1e6).toFixed(1);
  console.log(`extension: load ${ms(t0, t1)} ms + activate ${ms(t1, t2)} ms = ${ms(t0, t2)} ms; bundle ${kib(bundle)} KiB (+ webviews ${kib(path.join(ext, 'out/panel.js'))} + ${kib(path.join(ext, 'out/dashboard.js'))} KiB); vsix ${vsix ? `${kib(path.resolve(__dirname, '../dist', vsix))} KiB (limit 3072)` : 'not built'}`);
  if (vsix && fs.statSync(path.resolve(__dirname, '../dist', vsix)).size > 3 * 1024 * 1024) {
    console.error('the .vsix is larger than 3 MiB');
    process.exitCode = 1;
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
