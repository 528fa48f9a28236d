// The layers the compiler and the package manager enforce (docs/architecture.md): a platform-free
// shared core that a webview can bundle, and an agent whose production tree has no native addon.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules } from 'node:module';

const ROOT = path.resolve(__dirname, '../../..');
const CORE = path.join(ROOT, 'shared/src');

function coreSources(dir = CORE): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node' || d.name === 'test-support' || d.name === 'testing' ? [] : coreSources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

describe('package layers', () => {
  it('the shared core imports no platform module and uses no platform global', () => {
    const builtins = new Set(builtinModules);
    const offenders: string[] = [];
    for (const file of coreSources()) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from '([^']+)'/g)) {
        const id = m[1];
        if (id.startsWith('node:') || builtins.has(id) || id === 'ws') offenders.push(`${path.relative(ROOT, file)} imports ${id}`);
      }
      for (const g of ['Buffer.', 'process.', 'Date.now(', 'setTimeout(', 'setInterval(', 'require(']) {
        if (text.includes(g)) offenders.push(`${path.relative(ROOT, file)} uses ${g}`);
      }
    }
    assert.ok(coreSources().length > 20, 'found the core sources');
    assert.deepEqual(offenders, []);
  });

  it('the shared core bundles for a browser (a webview) with no Node module', async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: [path.join(ROOT, 'shared/dist/index.js')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
    });
    const text = out.outputFiles[0].text;
    assert.ok(text.length > 10_000, 'the bundle has the core in it');
    assert.doesNotMatch(text, /require\(["']node:|from ["']node:/);
  });

  it("the agent's production dependency tree has no native addon and no database driver", () => {
    const out = execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--all', '--parseable', '-w', '@vact/agent'], { cwd: ROOT, encoding: 'utf8' });
    const dirs = out.split('\n').filter((l) => l.includes('node_modules'));
    assert.ok(dirs.some((d) => d.endsWith(path.join('node_modules', 'ws'))), 'lists the agent tree');
    const native = dirs.filter((d) => fs.existsSync(path.join(d, 'binding.gyp')) || /better-sqlite3|[\\/]pg$|@vact[\\/]authority/.test(d));
    assert.deepEqual(native, []);
  });
});
