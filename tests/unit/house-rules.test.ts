/**
 * The house rules are enforced by ESLint (eslint.config.js), not only written down: each rule is
 * fed a line that breaks it, in a file of the folder it guards, and must report it; the same line
 * where it is allowed must pass. The repository itself lints clean in `npm test` (`eslint .`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** Rule ids ESLint reports for `code` as if it were the file at `filePath`. */
async function reported(filePath: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return r!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('house rules (ESLint)', () => {
  it('dependencies point inward: a folder may not import an outer one', async () => {
    const cases: [string, string][] = [
      ['src/core/x.ts', "import { family } from '../tasks/index.js';"],
      ['src/tasks/x.ts', "import { parseTrees } from '../data/trees-io.js';"],
      ['src/mcts/x.ts', "import { passAtK } from '../eval/passk.js';"],
      ['src/data/x.ts', "import { OrtEngine } from '../engines/ort/engine.js';"],
      ['src/engines/openai/x.ts', "import { parse } from '../../cli/args.js';"],
      ['src/engines/x.ts', "import { session } from '../ui/app/session.js';"],
      ['src/store/x.ts', "import { loadEngine } from '../ui/app/engines.js';"],
      ['src/ui/x.ts', "import { lab } from '../cli/main.js';"],
      ['src/cli/x.ts', "import { session } from '../ui/app/session.js';"],
    ];
    for (const [file, code] of cases) expect((await reported(file, code)).join('\n'), `${file}: ${code}`).toMatch(/no-restricted-imports: .*src\/\w+\/ may import only/);
    // Inward imports pass.
    expect(await reported('src/mcts/x.ts', "export { family } from '../tasks/index.js';")).toEqual([]);
    expect(await reported('src/cli/x.ts', "export { family } from '../tasks/index.js';")).toEqual([]);
  });

  it('no Node APIs outside cli/ (and the ort Node loader), no runtime outside engines/, no Lit outside ui/', async () => {
    expect((await reported('src/tasks/x.ts', "export { readFileSync } from 'node:fs';")).join()).toMatch(/no Node APIs here/);
    expect((await reported('src/engines/openai/x.ts', "export { readFileSync } from 'node:fs';")).join()).toMatch(/no Node APIs here/);
    expect(await reported('src/engines/ort/node.ts', "export { readFileSync } from 'node:fs';")).toEqual([]);
    expect(await reported('src/cli/x.ts', "export { readFileSync } from 'node:fs';")).toEqual([]);
    expect((await reported('src/gpu/x.ts', "import * as ort from 'onnxruntime-web/webgpu'; export { ort };")).join()).toMatch(/Only src\/engines\/ knows a model runtime/);
    expect((await reported('src/cli/x.ts', "import * as ort from 'onnxruntime-node'; export { ort };")).join()).toMatch(/Only src\/engines\/ knows a model runtime/);
    expect(await reported('src/engines/ort/x.ts', "import * as ort from 'onnxruntime-web/webgpu'; export { ort };")).toEqual([]);
    expect((await reported('src/mcts/x.ts', "export { html } from 'lit';")).join()).toMatch(/Only src\/ui\/ knows Lit/);
    expect(await reported('src/ui/x.ts', "export { html } from 'lit';")).toEqual([]);
  });

  it('model output never becomes HTML: unsafeHTML, unsafeSVG, unsafeStatic, innerHTML, insertAdjacentHTML', async () => {
    const ui = 'src/ui/x.ts';
    expect((await reported(ui, "export { unsafeHTML } from 'lit/directives/unsafe-html.js';")).join()).toMatch(/No unsafeHTML/);
    expect((await reported(ui, "export { unsafeSVG } from 'lit/directives/unsafe-svg.js';")).join()).toMatch(/No unsafeSVG/);
    expect((await reported(ui, "export { unsafeStatic } from 'lit/static-html.js';")).join()).toMatch(/No unsafeStatic/);
    expect(await reported(ui, "export { html } from 'lit/static-html.js';")).toEqual([]);
    expect((await reported(ui, "export const f = (e: HTMLElement, t: string) => e.insertAdjacentHTML('beforeend', t);")).join()).toMatch(/no-restricted-properties/);
    expect((await reported(ui, 'export const f = (e: HTMLElement, t: string) => { e.innerHTML = t; };')).join()).toMatch(/no-restricted-properties/);
    expect((await reported('tests/unit/x.ts', "export const CASES = '/work/shared/reference/x.json';")).join()).toMatch(/No absolute paths of one machine/);
  });

  it('import() and import() types obey the same layer rules as static imports', async () => {
    const rule = /lab\/no-restricted-dynamic-import: /;
    const cases: [string, string, RegExp][] = [
      ['src/core/x.ts', "export const f = () => import('../ui/app/session.js');", /src\/core\/ may import only/],
      ['src/core/x.ts', 'export const f = () => import(`../ui/app/session.js`);', /src\/core\/ may import only/],
      ['src/tasks/x.ts', "export type T = import('../data/trees-io.js').ParsedTree;", /src\/tasks\/ may import only/],
      ['src/gpu/x.ts', "export const f = () => import('onnxruntime-web');", /Only src\/engines\/ knows a model runtime/],
      ['src/eval/x.ts', "export const f = () => import('node:fs');", /no Node APIs here/],
      ['src/mcts/x.ts', "export const f = () => import('lit');", /Only src\/ui\/ knows Lit/],
      ['src/ui/x.ts', "export const f = () => import('lit/directives/unsafe-html.js');", /No unsafeHTML/],
      ['tests/unit/x.ts', "export const f = () => import('lit-html/directives/unsafe-svg.js');", /No unsafeSVG/],
    ];
    for (const [file, code, why] of cases) {
      const got = (await reported(file, code)).join('\n');
      expect(got, `${file}: ${code}`).toMatch(rule);
      expect(got, `${file}: ${code}`).toMatch(why);
    }
    // A path no rule can read is refused in src/ and workers/.
    expect((await reported('src/core/x.ts', 'export const f = (u: string) => import(u);')).join()).toMatch(/needs a plain string path/);
    expect((await reported('workers/x.ts', 'export const f = (u: string) => import(`../src/${u}`);')).join()).toMatch(/needs a plain string path/);
    expect(await reported('tests/unit/x.ts', 'export const f = (u: string) => import(u);')).toEqual([]);
    // Where the import is allowed, import() passes too.
    expect(await reported('src/engines/webllm/x.ts', "export const f = () => import('@mlc-ai/web-llm');")).toEqual([]);
    expect(await reported('src/cli/x.ts', "export const f = () => import('node:fs');")).toEqual([]);
    expect(await reported('src/mcts/x.ts', "export const f = () => import('../tasks/index.js');")).toEqual([]);
  });

  it('the same folder written another way is still that folder: ./../ui/, ../../src/ui/, and workers/ from src/', async () => {
    const inward = /no-restricted-imports: .*src\/core\/ may import only/;
    expect((await reported('src/core/x.ts', "export { x } from './../ui/app/session.js';")).join()).toMatch(inward);
    expect((await reported('src/core/x.ts', "export { x } from '../../src/ui/app/session.js';")).join()).toMatch(inward);
    expect((await reported('src/core/x.ts', "export { x } from '../../workers/engine.worker.js';")).join()).toMatch(inward);
  });

  it('workers/ have a layer rule: no ui/ or cli/, no Node APIs, no runtime, no Lit, statically or through import()', async () => {
    const w = 'workers/x.ts';
    expect((await reported(w, "export { session } from '../src/ui/app/session.js';")).join()).toMatch(/workers\/ may import src\/ folders except ui\/ and cli\//);
    expect((await reported(w, "export const f = () => import('../src/cli/main.js');")).join()).toMatch(/workers\/ may import src\/ folders except ui\/ and cli\//);
    expect((await reported(w, "export { readFileSync } from 'node:fs';")).join()).toMatch(/no Node APIs here/);
    expect((await reported(w, "export const f = () => import('onnxruntime-web/webgpu');")).join()).toMatch(/Only src\/engines\/ knows a model runtime/);
    expect((await reported(w, "export { html } from 'lit';")).join()).toMatch(/Only src\/ui\/ knows Lit/);
    // What the workers really import passes.
    expect(await reported(w, "export { WorkerEngine } from '../src/engines/worker-client.js';")).toEqual([]);
    expect(await reported(w, "export { init } from '@jax-js/jax';")).toEqual([]);
  });

  it('the unsafe Lit directives are banned under lit-html/ paths too, and other HTML sinks', async () => {
    const ui = 'src/ui/x.ts';
    expect((await reported(ui, "export { unsafeHTML } from 'lit-html/directives/unsafe-html.js';")).join()).toMatch(/No unsafeHTML/);
    expect((await reported(ui, "export { unsafeSVG } from 'lit-html/directives/unsafe-svg.js';")).join()).toMatch(/No unsafeSVG/);
    expect((await reported(ui, "export { unsafeMathML } from 'lit-html/directives/unsafe-mathml.js';")).join()).toMatch(/No unsafeMathML/);
    expect((await reported(ui, "export { unsafeHTML } from 'lit-html/development/directives/unsafe-html.js';")).join()).toMatch(/No unsafeHTML/);
    expect((await reported(ui, "export { unsafeStatic } from 'lit-html/static.js';")).join()).toMatch(/No unsafeStatic/);
    expect((await reported(ui, "import * as s from 'lit-html/static.js'; export const u = s.unsafeStatic;")).join()).toMatch(/No unsafeStatic/);
    expect(await reported(ui, "export { html, literal } from 'lit-html/static.js';")).toEqual([]);
    // Outside src/ as well (a test helper or a tool is no exception).
    expect((await reported('tools/x.ts', "export { unsafeHTML } from 'lit-html/directives/unsafe-html.js';")).join()).toMatch(/No unsafeHTML/);
    expect((await reported(ui, "export const f = (e: HTMLElement, t: string) => e['insertAdjacentHTML']('beforeend', t);")).join()).toMatch(/no-restricted-properties/);
    expect((await reported(ui, 'export const f = (e: HTMLElement, t: string) => e.setHTMLUnsafe(t);')).join()).toMatch(/no-restricted-properties/);
    expect((await reported(ui, 'export const f = (r: Range, t: string) => r.createContextualFragment(t);')).join()).toMatch(/no-restricted-properties/);
  });

  it('lines stay readable (max-len 200 for code) and source files stay under ~400 lines', async () => {
    const long = `export const x = [${Array.from({ length: 60 }, (_, i) => `a${i}`).join(', ')}];`.replace('export const x = [', 'const a0 = 1; export const x = [');
    expect(long.length).toBeGreaterThan(200);
    expect((await reported('src/core/x.ts', long)).join()).toMatch(/max-len/);
    const big: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, f.name);
        if (f.isDirectory()) walk(p);
        else if (/\.(ts|js)$/.test(f.name) && readFileSync(p, 'utf8').split('\n').length > 420) big.push(p);
      }
    };
    ['src', 'workers', 'bin'].forEach(walk);
    expect(big).toEqual([]);
  });
});
