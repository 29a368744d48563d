// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The feature folders under src/features. Each is an island: no imports between them. */
const FEATURES = ['auth', 'dashboard', 'exports', 'webhooks', 'bulk-jobs', 'audit', 'catalog', 'admin'];

const SHARED_HINT = 'move what is shared into src/components, src/lib or src/api';

/**
 * Inside a feature, code outside the feature folder is reached through the `@/` alias only, so
 * that a rule on the import text can tell the feature's own files from another feature's:
 * a relative `../` import could climb into a sibling feature unnoticed.
 * @param {string} feature
 */
function featureBoundaries(feature) {
  return {
    files: [`src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^@/features/(?!${feature}(/|$))`,
              message: `Features do not import each other (${feature}): ${SHARED_HINT}.`,
            },
            {
              regex: '^\\.\\./',
              message: `Import outside this folder through the alias (@/features/${feature}/..., @/components/...).`,
            },
            { regex: '^@/app(/|$)', message: 'Features do not depend on the app shell; the shell composes them.' },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist', 'test-results', 'src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './tsconfig.node.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans in template strings are fine; objects are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['*.{js,ts}', 'scripts/**', 'e2e/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...FEATURES.map(featureBoundaries),
  {
    // Shared code is used by features, so it must not depend on any of them (nor on the shell).
    files: ['src/components/**', 'src/lib/**', 'src/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)features(/|$)', message: `Shared code does not depend on features: ${SHARED_HINT}.` },
            { regex: '^@/app(/|$)|(^|/)app/', message: 'Shared code does not depend on the app shell.' },
          ],
        },
      ],
    },
  },
);
