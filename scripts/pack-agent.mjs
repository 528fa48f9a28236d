#!/usr/bin/env node
// `npm run pack:agent [-- --out DIR]`: the agent as one npm package, vact-agent-<version>.tgz, that
// installs on a lab machine with only Node and the npm registry: @vact/shared is bundled inside
// (it is a workspace, not a registry package), its registry dependencies become the agent's, and
// nothing optional comes along (no authority, no database driver, no native module).
// npm pack cannot bundle a symlinked workspace itself, so the package is staged in a temp dir.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = path.resolve(outArg > 0 ? process.argv[outArg + 1] : path.join(root, 'dist'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The files `npm pack` would take from a workspace (its "files", minus test-only ones). */
function packFiles(workspace) {
  const json = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts', '-w', workspace], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(json)[0].files.map((f) => f.path);
}

function copyPackage(dir, files, to) {
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    fs.copyFileSync(path.join(dir, f), path.join(to, f));
  }
}

const agentPkg = JSON.parse(fs.readFileSync(path.join(root, 'agent/package.json'), 'utf8'));
const sharedPkg = JSON.parse(fs.readFileSync(path.join(root, 'shared/package.json'), 'utf8'));
if (!fs.existsSync(path.join(root, 'agent/dist/cli/main.js'))) {
  console.error('pack-agent: agent/dist is not built: run `npx tsc -b` (or `npm ci`) first');
  process.exit(1);
}
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'vact-pack-'));
try {
  copyPackage(path.join(root, 'agent'), packFiles('@vact/agent'), stage);
  const sharedDir = path.join(stage, 'node_modules/@vact/shared');
  copyPackage(path.join(root, 'shared'), packFiles('@vact/shared'), sharedDir);
  const { devDependencies: _d, optionalDependencies: _o, scripts: _s, ...pkg } = agentPkg;
  pkg.dependencies = { ...sharedPkg.dependencies, ...agentPkg.dependencies };
  pkg.bundleDependencies = ['@vact/shared'];
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // The bundled core lists no dependencies of its own: npm counts a bundled package's dependencies as
  // bundled too, and a global install (`npm install -g`) then left them as empty folders. They are the
  // agent's dependencies above, which the core finds from inside the agent's node_modules.
  const { devDependencies: _sd, scripts: _ss, dependencies: _sdeps, ...shared } = sharedPkg;
  fs.writeFileSync(path.join(sharedDir, 'package.json'), `${JSON.stringify(shared, null, 2)}\n`);
  fs.mkdirSync(out, { recursive: true });
  const name = execFileSync(npm, ['pack', '--pack-destination', out, '--ignore-scripts'], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop();
  console.log(path.join(out, name));
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
