#!/usr/bin/env node
// The same extension-host suite under @vscode/test-electron, for machines that can download
// VS Code (this one cannot: there vscode-suites.mjs runs it inside code-server).
// Usage: node test/scripts/vscode-electron.mjs   (build first: npm run package)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXT, makeFixture } from './vscode-harness.mjs';

const { runTests } = await import('@vscode/test-electron');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-electron-'));
const fx = await makeFixture(dir);
let code = 1;
try {
  await runTests({
    extensionDevelopmentPath: EXT,
    extensionTestsPath: path.join(EXT, 'dist/test/suite/index'),
    launchArgs: [fx.workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(dir, 'user-data')],
  });
  code = 0;
} catch (err) {
  console.error(`extension-host suite failed: ${err.message ?? err}`);
} finally {
  for (const d of fx.daemons.reverse()) await d.stop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
