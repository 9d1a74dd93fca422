// Lint config: type-aware typescript-eslint plus the folder import rules of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const FOLDERS = ['machines', 'actors', 'contracts', 'adapters', 'replay', 'tools', 'test'];

/** A pattern that forbids importing from the named top-level folders. */
const forbid = (folders, why) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
  message: why,
});

/**
 * A pattern that forbids deep imports into a sibling folder: its index.ts is its public surface,
 * its internal.ts what the other folders of this repository may use besides (ADR 0031).
 */
const noDeepImports = (self) => ({
  regex: `^(\\.\\./)+(${FOLDERS.filter((f) => f !== self && f !== 'test' && f !== 'tools').join('|')})/(?!(index|internal)\\.ts$).+`,
  message: 'Import another folder only through its index.ts (public) or internal.ts (in-repo).',
});

const boundary = (folder, forbidden, extra = []) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          forbid(
            forbidden,
            `${folder}/ may not import ${forbidden.join(', ')} (see docs/architecture.md).`,
          ),
          noDeepImports(folder),
          ...extra,
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'reports/**',
      '.prof/**',
      '.scratch/**',
      'contracts/generated/**',
      'test/paths/**/*.generated.test.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', 'bin/*.js', '.ci/*.mjs', 'test/harness/*.cjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'Use a string union and an as-const object, not enum.',
        },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces.' },
        { selector: 'ExportAllDeclaration', message: 'No export *: name what a folder exports.' },
      ],
    },
  },
  boundary('contracts', ['machines', 'actors', 'adapters', 'replay', 'tools', 'test']),
  boundary(
    'machines',
    ['actors', 'adapters', 'replay', 'tools', 'test'],
    [{ regex: '^node:', message: 'machines/ are pure: no Node built-ins.' }],
  ),
  boundary('actors', ['adapters', 'replay', 'tools', 'test']),
  boundary('adapters', ['machines', 'actors', 'replay', 'tools', 'test']),
  boundary('replay', ['tools', 'test']),
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The inspector page is plain browser JavaScript served as is (no bundler, ADR 0046).
    files: ['tools/inspect/page/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        fetch: 'readonly',
        location: 'readonly',
        setTimeout: 'readonly',
        WebSocket: 'readonly',
      },
    },
  },
  {
    // The child-process loopback guard is plain CommonJS (loaded by NODE_OPTIONS=--require).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', require: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
