/**
 * Mounts the Data and Objectives views on one Session holding real search trees
 * (fixtures/data-objectives-trees.jsonl, written by `lab mcts --task letters`), and loads real embedded
 * models in module workers on request, for tests/browser/data-objectives.test.ts.
 */
import type { ScoreRequest } from '../../src/core/engine.js';
import { parseTrees } from '../../src/data/trees-io.js';
import { WorkerEngine } from '../../src/engines/worker-client.js';
import { Session } from '../../src/ui/app/session.js';
import '../../src/ui/data/lab-data-view.js';
import '../../src/ui/objectives/lab-objectives-view.js';
import treesText from './fixtures/data-objectives-trees.jsonl?raw';

const session = new Session();
session.update({ trees: parseTrees(treesText, 'data-objectives-trees.jsonl') });
let scoreCalls = 0;

async function loadEngine(id: string, device: 'webgpu' | 'wasm' = 'wasm') {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
  const engine = await WorkerEngine.load(worker, { backend: 'ort', id, baseUrl: `/models/${id}/`, device });
  // Count model calls (the real worker engine does the work) so the test can see sliders never re-run a model.
  const score = engine.score.bind(engine);
  engine.score = (req: ScoreRequest, signal?: AbortSignal) => {
    scoreCalls++;
    return score(req, signal);
  };
  session.update({ engines: new Map([...session.state.engines, [id, engine]]) });
  return engine.info;
}

/** Form controls (in every open shadow root) without an accessible name. */
function unlabeledControls(): string[] {
  const out: string[] = [];
  const walk = (root: Document | ShadowRoot) => {
    for (const el of root.querySelectorAll<HTMLElement>('input, select, button, textarea')) {
      const named = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim());
      if (!named) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} in ${(root as ShadowRoot).host?.tagName.toLowerCase() ?? 'document'}`);
    }
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(document);
  return out;
}

const data = document.createElement('lab-data-view');
data.session = session;
const objectives = document.createElement('lab-objectives-view');
objectives.session = session;
document.body.append(data, objectives);

Object.assign(globalThis, { viewsTest: { session, loadEngine, scoreCalls: () => scoreCalls, unlabeledControls } });
document.getElementById('status')!.textContent = 'ready';
