// Lint, and the layering rule of ARCHITECTURE.md: a forbidden import fails the build.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net', 'zlib', 'url', 'stream'];
const noNative = (except) =>
  [
    { name: 'electron', message: 'electron may only be imported in electron/.' },
    { name: 'better-sqlite3', message: 'better-sqlite3 may only be imported in core/store.' },
    { name: 'ssh2', message: 'ssh2 may only be imported in core/connectors.' },
  ].filter((p) => !except.includes(p.name));
const layer = (files, { paths = [], patterns = [] }) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  layer(['core/domain/**'], {
    paths: noNative([]),
    patterns: [
      { group: nodeBuiltins, message: 'core/domain is pure: no Node built-ins.' },
      { group: ['zod', 'react', '**/contract/**', '**/store/**', '**/connectors/**', '**/services/**', '**/reports/**', '**/host/**', '**/cli/**'], message: 'core/domain imports nothing but itself.' },
    ],
  }),
  layer(['core/contract/**'], {
    paths: noNative([]),
    patterns: [
      { group: nodeBuiltins, message: 'core/contract is shared with the renderer: no Node built-ins.' },
      { group: ['**/store/**', '**/connectors/**', '**/services/**', '**/reports/**', '**/host/**', '**/cli/**'], message: 'core/contract may import only core/domain.' },
    ],
  }),
  layer(['core/reports/**'], {
    paths: noNative([]),
    patterns: [{ group: ['**/store/**', '**/connectors/**', '**/services/**', '**/host/**', '**/cli/**'], message: 'core/reports renders domain data only.' }],
  }),
  layer(['core/store/**'], { paths: noNative(['better-sqlite3']), patterns: [{ group: ['**/connectors/**', '**/services/**', '**/host/**', '**/cli/**', '**/contract/**'], message: 'core/store may import only core/domain.' }] }),
  layer(['core/connectors/**'], { paths: noNative(['ssh2']), patterns: [{ group: ['**/store/**', '**/services/**', '**/host/**', '**/cli/**', '**/contract/**'], message: 'core/connectors may import only core/domain.' }] }),
  layer(['core/services/**'], { paths: noNative([]), patterns: [{ group: ['**/host/**', '**/cli/**'], message: 'core/services must not import a shell.' }] }),
  layer(['core/host/**', 'core/cli/**'], {
    paths: noNative([]),
    patterns: [{ group: ['**/store/**', '**/connectors/**'], message: 'shells reach the store and connectors only through core/services.' }],
  }),
  layer(['renderer/src/**'], {
    paths: noNative([]),
    patterns: [
      { group: nodeBuiltins, message: 'the renderer has no Node: use the typed client.' },
      { group: ['**/core/store/**', '**/core/connectors/**', '**/core/services/**', '**/core/host/**', '**/core/cli/**', '**/core/reports/**', '**/electron/**'], message: 'the renderer reaches the main process only through core/contract.' },
    ],
  }),
  layer(['electron/**'], { paths: noNative(['electron']), patterns: [{ group: ['**/store/**', '**/connectors/**'], message: 'electron reaches the store and connectors through core/services.' }] }),
  // Tests of a shell may start real test infrastructure (an sshd) from the connectors' test support.
  layer(['core/cli/**/*.test.ts', 'core/host/**/*.test.ts'], { paths: noNative([]), patterns: [{ group: ['**/store/**'], message: 'shells reach the store only through core/services.' }] }),
  layer(['bench/**', 'scripts/**', 'e2e/**', 'bin/**'], { paths: noNative(['better-sqlite3']), patterns: [] }),
);
