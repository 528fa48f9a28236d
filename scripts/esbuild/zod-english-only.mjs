// An esbuild plugin that leaves zod's translated error messages (every locale, most of zod's size)
// out of a bundle: vact shows its error catalogue's English messages, and zod's English default
// stays. zod's CommonJS build (the agent's bundle) and its ES modules (the extension) both.
export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.(c?js)$/ }, (args) => (args.importer.includes(`${'node_modules'}/zod/`)
      ? { path: args.path.endsWith('.cjs') ? 'zod-locales.cjs' : 'zod-locales.js', namespace: 'zod-en' }
      : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: args.path.endsWith('.cjs')
        ? 'exports.en = require("zod/v4/locales/en.cjs").default;'
        : 'export { default as en } from "zod/v4/locales/en.js";',
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};
