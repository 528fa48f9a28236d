// Bundles the extension (Node, CommonJS, `vscode` external) and the two webview scripts (browser),
// without zod's translated error messages (scripts/esbuild/zod-english-only.mjs).
import { build } from 'esbuild';
import { zodEnglishOnly as englishOnly } from '../scripts/esbuild/zod-english-only.mjs';

const production = !process.argv.includes('--dev');
const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', legalComments: 'none', plugins: [englishOnly] };
await Promise.all([
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'out/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'bufferutil', 'utf-8-validate'] }),
  build({ ...common, entryPoints: { panel: 'src/webview/panel.ts', dashboard: 'src/webview/dashboard.ts' }, outdir: 'out', platform: 'browser', format: 'iife', target: 'es2022' }),
]);
