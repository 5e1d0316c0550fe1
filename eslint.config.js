// Lint: typescript-eslint's recommended rules, plus the house rules that matter for safety and
// the layering of README "Layout": dependencies point inward, core/ tasks/ mcts/ data/ dpo/ eval/
// import no Node APIs and no UI, only engines/ knows a model runtime, only ui/ knows Lit, only
// cli/ knows the file system. The same patterns hold for static imports (no-restricted-imports)
// and for import() (lab/no-restricted-dynamic-import, tools/eslint/lab-plugin.js).
// tests/unit/house-rules.test.ts checks that each rule fires.
import tseslint from 'typescript-eslint';
import lab from './tools/eslint/lab-plugin.js';

// lit re-exports lit-html: ban the unsafe directives under either name (and any deep path to them).
const UNSAFE_PATTERNS = [
  { regex: '^lit(-html)?/(.*/)?unsafe-html(\\.js)?$', message: 'No unsafeHTML: model output is untrusted.' },
  { regex: '^lit(-html)?/(.*/)?unsafe-svg(\\.js)?$', message: 'No unsafeSVG: model output is untrusted.' },
  { regex: '^lit(-html)?/(.*/)?unsafe-mathml(\\.js)?$', message: 'No unsafeMathML: model output is untrusted.' },
  { regex: '^(lit/(.*/)?static-html|lit-html/(.*/)?static)(\\.js)?$', importNames: ['unsafeStatic'], message: 'No unsafeStatic: model output is untrusted.' },
];

const FOLDERS = ['core', 'tasks', 'mcts', 'data', 'dpo', 'eval', 'gpu', 'engines', 'store', 'ui', 'cli', 'train'];
const RUNTIMES = /^(onnxruntime-(web|node)|@huggingface\/transformers|@mlc-ai\/web-llm)(\/|$)/.source;

/**
 * The rules of the files `files` whose imports must not match `patterns` (static or dynamic);
 * with `requireLiteral`, an import() of a computed path is refused too (no rule could check it).
 */
function restrict(files, patterns, requireLiteral = true) {
  return {
    files,
    plugins: { lab },
    rules: {
      'no-restricted-imports': ['error', { patterns }],
      'lab/no-restricted-dynamic-import': ['error', { patterns, requireLiteral }],
    },
  };
}

/** What code that runs outside Node, the UI and the engines may not import. */
function runtimeBans(where, { node = false, runtime = false, lit = false } = {}) {
  const patterns = [];
  if (!node) patterns.push({ regex: '^(node:|fs$|path$|os$|child_process$)', message: `${where} runs in workers, browsers and Node alike: no Node APIs here (only cli/ knows the file system).` });
  if (!runtime) patterns.push({ regex: RUNTIMES, message: 'Only src/engines/ knows a model runtime: use the Engine contract of src/core/engine.ts.' });
  if (!lit) patterns.push({ regex: '^(lit(-html|-element)?|@lit(-labs)?/[^/]+)(/|$)', message: 'Only src/ui/ knows Lit.' });
  return patterns;
}

/** Import rules for files of one src/ folder: the unsafe paths plus what the folder may not import. */
function layer(folder, { may = [], ...allowed } = {}) {
  // No src/ folder imports workers/: the page starts them from a URL (`new Worker(new URL(...))`).
  const banned = [...FOLDERS.filter((f) => f !== folder && !may.includes(f)), 'workers'];
  // `./../ui/` and `../../src/ui/` are the same folder as `../ui/`.
  const inward = { regex: `^(\\./)?(\\.\\./)+(src/)?(${banned.join('|')})/`, message: `src/${folder}/ may import only ${may.length ? may.map((f) => `src/${f}/`).join(', ') : 'its own files'} of the lab (README "Layout": dependencies point inward).` };
  return restrict([`src/${folder}/**/*.ts`], [...UNSAFE_PATTERNS, inward, ...runtimeBans(`src/${folder}/`, allowed)]);
}

/** Absolute paths of one machine break every other checkout. */
const NO_MACHINE_PATHS = [
  { selector: 'Literal[value=/^\\/(work|home|root|tmp)\\//]', message: 'No absolute paths of one machine: use new URL(relative, import.meta.url) or a setting.' },
  { selector: 'TemplateElement[value.raw=/^\\/(work|home|root)\\//]', message: 'No absolute paths of one machine: use new URL(relative, import.meta.url) or a setting.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'tools/train-tiny/out/', 'public/ort/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Model output is untrusted text: never assign or insert it as HTML.
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Render text with Lit templates; model output must never become HTML.' },
        { property: 'outerHTML', message: 'Render text with Lit templates; model output must never become HTML.' },
        { property: 'insertAdjacentHTML', message: 'Render text with Lit templates; model output must never become HTML.' },
        { object: 'document', property: 'write', message: 'Render text with Lit templates; model output must never become HTML.' },
        { object: 'document', property: 'writeln', message: 'Render text with Lit templates; model output must never become HTML.' },
        { property: 'setHTMLUnsafe', message: 'Render text with Lit templates; model output must never become HTML.' },
        { property: 'createContextualFragment', message: 'Render text with Lit templates; model output must never become HTML.' },
      ],
      // Lines stay readable: 200 columns of code (long strings, templates, regexes and URLs aside).
      'max-len': ['error', { code: 200, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      // Paths of this machine break every other checkout: find files relative to the module.
      'no-restricted-syntax': ['error', ...NO_MACHINE_PATHS],
    },
  },
  // Everywhere (tests, tools, bench too): the unsafe Lit directives, statically or through import().
  restrict(['**/*.{ts,js,mjs}'], UNSAFE_PATTERNS, false),
  layer('core'),
  layer('tasks', { may: ['core'] }),
  layer('mcts', { may: ['core', 'tasks'] }),
  layer('data', { may: ['core', 'tasks', 'mcts'] }),
  layer('dpo', { may: ['core'] }),
  layer('eval', { may: ['core', 'tasks', 'mcts', 'dpo'] }),
  layer('gpu', { may: ['core', 'dpo'] }),
  layer('store', { may: ['core', 'tasks', 'mcts', 'data', 'dpo', 'eval'] }),
  // The trainer: pure TypeScript on jax-js (an autodiff library, not a model runtime).
  layer('train', { may: ['core', 'data', 'dpo'] }),
  layer('engines', { may: ['core', 'tasks', 'mcts', 'data', 'dpo', 'eval', 'gpu'], runtime: true }),
  // The Node loader of the ort backend reads the model files from models/.
  { ...layer('engines', { may: ['core', 'tasks', 'mcts', 'data', 'dpo', 'eval', 'gpu'], runtime: true, node: true }), files: ['src/engines/ort/node.ts'] },
  layer('ui', { may: ['core', 'tasks', 'mcts', 'data', 'dpo', 'eval', 'gpu', 'engines', 'store', 'train'], lit: true }),
  layer('cli', { may: ['core', 'tasks', 'mcts', 'data', 'dpo', 'eval', 'gpu', 'engines', 'store', 'train'], node: true }),
  // Module workers host engines, the search loop and the trainer: no UI, no CLI, and what src/ code may not use.
  restrict(['workers/**/*.ts'], [
    ...UNSAFE_PATTERNS,
    { regex: '^(\\./)?(\\.\\./)+src/(ui|cli)/', message: 'workers/ may import src/ folders except ui/ and cli/ (README "Layout": dependencies point inward).' },
    ...runtimeBans('workers/'),
  ]),
  {
    // page.evaluate() callbacks run in the browser and return untyped JSON.
    files: ['tests/browser/**/*.ts', 'tests/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
