// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/out/**', 'node_modules/**', '.cache/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    // The shared core is platform-free (docs/architecture.md): Node lives in shared/src/node only.
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/node/**', 'shared/src/**/*.test.ts', 'shared/src/**/test-support/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'dns', 'ws'].map((name) => ({ name, message: 'the shared core is platform-free: put Node code in shared/src/node' })),
        patterns: [{ group: ['node:*'], message: 'the shared core is platform-free: put Node code in shared/src/node' }],
      }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'use Uint8Array in the core' }, { name: 'process', message: 'the core has no process' }],
    },
  },
);
