// Lint: typescript-eslint's recommended rules, plus the house rules that matter for safety.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'tools/train-tiny/out/', 'public/ort/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Model output is untrusted text: never assign it as HTML.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Render text with Lit templates; model output must never become HTML.' },
        { property: 'outerHTML', message: 'Render text with Lit templates; model output must never become HTML.' },
      ],
      'no-restricted-imports': ['error', { paths: [{ name: 'lit/directives/unsafe-html.js', message: 'No unsafeHTML: model output is untrusted.' }] }],
      // Paths of this machine break every other checkout: find files relative to the module.
      'no-restricted-syntax': [
        'error',
        { selector: 'Literal[value=/^\\/(work|home|root|tmp)\\//]', message: 'No absolute paths of one machine: use new URL(relative, import.meta.url) or a setting.' },
        { selector: 'TemplateElement[value.raw=/^\\/(work|home|root)\\//]', message: 'No absolute paths of one machine: use new URL(relative, import.meta.url) or a setting.' },
      ],
    },
  },
  {
    // page.evaluate() callbacks run in the browser and return untyped JSON.
    files: ['tests/browser/**/*.ts', 'tests/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
