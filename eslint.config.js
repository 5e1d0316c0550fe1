// Lint: typescript-eslint's recommended rules, plus the house rules that matter for safety and
// the layering of README "Layout": dependencies point inward, core/ tasks/ mcts/ data/ dpo/ eval/
// import no Node APIs and no UI, only engines/ knows a model runtime, only ui/ knows Lit, only
// cli/ knows the file system. tests/unit/house-rules.test.ts checks that each rule fires.
import tseslint from 'typescript-eslint';

const UNSAFE_PATHS = [
  { name: 'lit/directives/unsafe-html.js', message: 'No unsafeHTML: model output is untrusted.' },
  { name: 'lit/directives/unsafe-svg.js', message: 'No unsafeSVG: model output is untrusted.' },
  { name: 'lit/directives/unsafe-mathml.js', message: 'No unsafeMathML: model output is untrusted.' },
  { name: 'lit/static-html.js', importNames: ['unsafeStatic'], message: 'No unsafeStatic: model output is untrusted.' },
];

const FOLDERS = ['core', 'tasks', 'mcts', 'data', 'dpo', 'eval', 'gpu', 'engines', 'store', 'ui', 'cli', 'train'];
const RUNTIMES = /^(onnxruntime-(web|node)|@huggingface\/transformers|@mlc-ai\/web-llm)(\/|$)/.source;

/** `no-restricted-imports` for files of one folder: the unsafe paths plus what the folder may not import. */
function layer(folder, { may = [], node = false, runtime = false, lit = false } = {}) {
  const banned = FOLDERS.filter((f) => f !== folder && !may.includes(f));
  const patterns = [{ regex: `^(\\.\\./)+(${banned.join('|')})/`, message: `src/${folder}/ may import only ${may.length ? may.map((f) => `src/${f}/`).join(', ') : 'its own files'} of the lab (README "Layout": dependencies point inward).` }];
  if (!node) patterns.push({ regex: '^(node:|fs$|path$|os$|child_process$)', message: `src/${folder}/ runs in workers, browsers and Node alike: no Node APIs here (only cli/ knows the file system).` });
  if (!runtime) patterns.push({ regex: RUNTIMES, message: 'Only src/engines/ knows a model runtime: use the Engine contract of src/core/engine.ts.' });
  if (!lit) patterns.push({ regex: '^lit(/|$)', message: 'Only src/ui/ knows Lit.' });
  return { files: [`src/${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { paths: UNSAFE_PATHS, patterns }] } };
}

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
      ],
      'no-restricted-imports': ['error', { paths: UNSAFE_PATHS }],
      // Lines stay readable: 200 columns of code (long strings, templates, regexes and URLs aside).
      'max-len': ['error', { code: 200, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      // Paths of this machine break every other checkout: find files relative to the module.
      'no-restricted-syntax': [
        'error',
        { selector: 'Literal[value=/^\\/(work|home|root|tmp)\\//]', message: 'No absolute paths of one machine: use new URL(relative, import.meta.url) or a setting.' },
        { selector: 'TemplateElement[value.raw=/^\\/(work|home|root)\\//]', message: 'No absolute paths of one machine: use new URL(relative, import.meta.url) or a setting.' },
      ],
    },
  },
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
  {
    // page.evaluate() callbacks run in the browser and return untyped JSON.
    files: ['tests/browser/**/*.ts', 'tests/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
