import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.baton/', '.test-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // anySignal (src/async.ts) is how baton combines signals: it keeps Node 20's AbortSignal.any
    // from reading judged signals (src/judged-signal.ts), which failed an internal assertion.
    files: ['src/**/*.ts'],
    ignores: ['src/async.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'AbortSignal', property: 'any', message: 'use anySignal from src/async.ts (judged signals inside AbortSignal.any failed an assertion on Node 20)' }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
