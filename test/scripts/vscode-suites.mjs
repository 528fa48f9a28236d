#!/usr/bin/env node
// Runs the extension's slow suites in a real VS Code (code-server + headless Chromium):
//   1. the mocha extension-host suite (extension/dist/test/suite) against real agents;
//   2. the UI test: view, panel, "Activate now", screenshots (light and dark).
// Usage: node test/scripts/vscode-suites.mjs [--only host|ui]. Output in test/output/vscode/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { format } from 'node:util';
import { EXT, ROOT, installVsix, launchChromium, makeFixture, pageUrl, setup, startCodeServer } from './vscode-harness.mjs';
import { runUiTest } from './vscode-ui-test.mjs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const OUT = path.join(ROOT, 'test/output/vscode');
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
const t0 = Date.now();
const env = setup();
execFileSync(process.execPath, ['esbuild.mjs'], { cwd: EXT, stdio: 'inherit' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-vscode-'));
const daemons = [];
const timings = {};
let failed = false;

async function hostSuite(fx, browser) {
  const t = Date.now();
  const cs = await startCodeServer(env, path.join(dir, 'cs-host'), fx.workspace);
  daemons.push(cs);
  const page = await browser.newPage();
  let finish;
  const done = new Promise((r) => (finish = r));
  const log = fs.createWriteStream(path.join(OUT, 'host-suite.log'));
  await page.exposeFunction('codeAutomationLog', (_type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    log.write(text + '\n');
    // The workbench's own chatter (bracketed tags, stack traces into its bundle) stays in the log file.
    if (!/^\[|^(Ignoring|Creating a socket|Resolv|Updating additional)|\/static\/out\/vs\/|CodeExpectedError/.test(text)) console.log(text);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish(code));
  await page.goto(pageUrl(cs.port, fx.workspace, path.join(EXT, 'dist/test/suite/index')));
  const code = await Promise.race([done, new Promise((r) => setTimeout(() => r('timeout'), 240_000))]);
  await page.close();
  await cs.stop();
  timings.host = Date.now() - t;
  if (code !== 0) {
    console.error(`extension-host suite failed (${code}); code-server log: ${cs.log}`);
    failed = true;
  }
}

try {
  const fx = await makeFixture(dir);
  daemons.push(...fx.daemons);
  const browser = await launchChromium(env);
  try {
    if (only !== 'ui') await hostSuite(fx, browser);
    if (only !== 'host') {
      const t = Date.now();
      // The UI test drives the packaged extension when `npm run package` has made one (as .ci/run does).
      const vsix = fs.existsSync(path.join(ROOT, 'dist')) ? fs.readdirSync(path.join(ROOT, 'dist')).find((f) => /^vact-.*\.vsix$/.test(f)) : undefined;
      if (vsix) console.log(`UI test: installed ${installVsix(env, path.join(dir, 'cs-ui'), path.join(ROOT, 'dist', vsix)).join(', ')} from dist/${vsix}`);
      const cs = await startCodeServer(env, path.join(dir, 'cs-ui'), fx.workspace, { 'workbench.colorTheme': 'Default Dark Modern' });
      cs.installed = Boolean(vsix);
      daemons.push(cs);
      try {
        await runUiTest({ browser, cs, workspace: fx.workspace, out: OUT });
      } catch (err) {
        console.error(`UI test failed: ${err.stack ?? err}`);
        failed = true;
      }
      await cs.stop();
      timings.ui = Date.now() - t;
    }
  } finally {
    await browser.close();
  }
} finally {
  for (const d of daemons.reverse()) await d.stop().catch(() => undefined);
  if (!failed) fs.rmSync(dir, { recursive: true, force: true });
  else console.error(`logs kept in ${dir}`);
}
console.log(`vscode suites: ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - t0) / 1000).toFixed(1)} s (host ${((timings.host ?? 0) / 1000).toFixed(1)} s, ui ${((timings.ui ?? 0) / 1000).toFixed(1)} s); screenshots in ${path.relative(ROOT, OUT)}`);
process.exit(failed ? 1 : 0);
