// Bundles the extension (Node, CommonJS, `vscode` external) and the two webview scripts (browser).
// zod's translated error messages (every locale, most of zod's size) are left out: the
// extension shows the error catalogue's English messages, and zod's English default stays.
import { build } from 'esbuild';

const production = !process.argv.includes('--dev');
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.(c?js)$/ }, (args) => (args.importer.includes(`${'node_modules'}/zod/`) ? { path: 'zod-locales', namespace: 'zod-en' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, () => ({ contents: 'export { default as en } from "zod/v4/locales/en.js";', resolveDir: process.cwd(), loader: 'js' }));
  },
};
const common = { bundle: true, minify: production, sourcemap: !production, logLevel: 'warning', legalComments: 'none', plugins: [englishOnly] };
await Promise.all([
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'out/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'bufferutil', 'utf-8-validate'] }),
  build({ ...common, entryPoints: { panel: 'src/webview/panel.ts', dashboard: 'src/webview/dashboard.ts' }, outdir: 'out', platform: 'browser', format: 'iife', target: 'es2022' }),
]);
