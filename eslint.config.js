// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const boundaries = require('eslint-plugin-boundaries');

/**
 * The rooms of the code and which way imports may point (docs/ARCHITECTURE.md):
 * sample-app → index (the public entry) → node → routes → middleware → lib/peers → lib/data → lib/files → lib (base).
 * Each room may import itself and the rooms below it, nothing above.
 */
const ROOMS = [
  { type: 'sample-app', pattern: 'sample-app', partialMatch: false },
  { type: 'cli', pattern: 'bin', partialMatch: false },
  { type: 'node', pattern: 'node', partialMatch: false },
  { type: 'routes', pattern: 'routes', partialMatch: false },
  { type: 'middleware', pattern: 'middleware', partialMatch: false },
  { type: 'peers', pattern: 'lib/peers', partialMatch: false },
  { type: 'data', pattern: 'lib/data', partialMatch: false },
  { type: 'files', pattern: 'lib/files', partialMatch: false },
  // lib/sync-error.ts, lib/logger.ts, lib/defaults.ts, lib/option-checks.ts: a file pattern (a folder
  // element would be all of lib/); its parent must be `lib`, so lib/files/*.ts is not matched.
  { type: 'base', pattern: 'lib/*.ts', mode: 'file' },
  // The public entry, above every room but the sample app: in no room, `../index` from lib/ was never checked.
  // Last, so a room's own index.ts (sample-app/pages/index.ts) stays in its room.
  { type: 'entry', pattern: 'index.ts', mode: 'file' },
];

/** Room → the rooms it may import (besides itself). The sample app imports the public entry (index.ts) only. */
const MAY_IMPORT = {
  'sample-app': ['entry'],
  entry: ['node', 'routes', 'middleware', 'peers', 'data', 'files', 'base'],
  cli: ['peers', 'data', 'files', 'base'],
  node: ['routes', 'middleware', 'peers', 'data', 'files', 'base'],
  routes: ['middleware', 'peers', 'data', 'files', 'base'],
  middleware: ['peers', 'data', 'files', 'base'],
  peers: ['data', 'files', 'base'],
  data: ['files', 'base'],
  files: ['base'],
  base: [],
};

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'jest.config.js', 'eslint.config.js', 'sample-app/public/**', '.bench-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/**/*.ts', 'node/**/*.ts', 'routes/**/*.ts', 'middleware/**/*.ts', 'bin/**/*.ts', 'sample-app/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': ROOMS,
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: {
      'boundaries/dependencies': [
        2,
        {
          default: 'disallow',
          policies: Object.entries(MAY_IMPORT).map(([from, to]) => ({
            from: { element: { type: from } },
            allow: { to: { element: { types: { anyOf: [from, ...to] } } } },
          })),
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['express', 'multer', 'helmet'], patterns: [] }],
    },
  },
  {
    // Like a user's app, the sample app reads the package's public entry, never its rooms.
    files: ['sample-app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/lib/**', '**/lib', '**/node/**', '**/routes/**', '**/middleware/**'], message: 'the sample app imports only the public entry (index.ts), as a user app would' }] }],
    },
  },
  {
    // Preloads for CLI runs in a child process (`node --require`, test/helpers/*.cjs): plain CommonJS, as Node runs them.
    files: ['test/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', setImmediate: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
