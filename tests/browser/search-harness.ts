/**
 * Browser side of tests/browser/search-worker.test.ts: tiny-a in a real engine worker, connected
 * by a MessagePort to the real search worker (SearchClient), and the real <lab-search-view> with
 * the real IndexedDB store. Functions return plain JSON for Playwright.
 */
import { WorkerEngine } from '../../src/engines/worker-client.js';
import type { SearchSpec } from '../../src/mcts/search-spec.js';
import type { Tree } from '../../src/mcts/tree.js';
import { session } from '../../src/ui/app/session.js';
import { LabStore } from '../../src/store/db.js';
import { SearchClient } from '../../src/ui/search/search-client.js';
import '../../src/ui/search/lab-search-view.js';

let engine: WorkerEngine | null = null;
let client: SearchClient | null = null;

/** Load tiny-a in an engine worker (wasm first; WebGPU if wasm fails to load). */
async function load(devices: ('wasm' | 'webgpu')[]) {
  const errors: string[] = [];
  for (const device of devices) {
    const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module' });
    try {
      engine = await WorkerEngine.load(worker, { backend: 'ort', id: 'tiny-a', baseUrl: '/models/tiny-a/', device });
      client = new SearchClient();
      return { info: engine.info, errors };
    } catch (e) {
      worker.terminate();
      errors.push(`${device}: ${(e as Error).message}`);
    }
  }
  throw new Error(errors.join('; '));
}

/** The parts of a tree that must repeat with the same seed (not the wall-clock seconds). */
const strip = (t: Tree | null) => (t ? JSON.stringify({ id: t.id, config: t.config, task: t.task, nodes: t.nodes, events: t.events }) : null);

/** Run one search; optionally press Stop after the n-th back-propagation. */
async function search(spec: SearchSpec, stopAfterBackprops = 0) {
  const t0 = performance.now();
  const eventTimes: number[] = [];
  let stopAt = 0;
  let partialNodes = -1;
  let backprops = 0;
  let lastMirror: Tree | null = null;
  let pageTokenize: Promise<number> | null = null;
  let ticks = 0;
  let inOrder = true;
  const timer = setInterval(() => ticks++, 20);
  const handle = client!.start(spec, { think: engine! }, {
    onEvent: (e, tree, index) => {
      eventTimes.push(performance.now());
      if (index !== eventTimes.length - 1) inOrder = false;
      lastMirror = tree;
      if (e.type !== 'backprop') return;
      backprops++;
      if (backprops === 1) {
        partialNodes = tree.nodes.length;
        // The page keeps using the same engine worker while the search worker uses it.
        pageTokenize = engine!.tokenize('abc').then((ids) => ids.length);
      }
      if (stopAfterBackprops && backprops === stopAfterBackprops) {
        stopAt = performance.now();
        handle.stop();
      }
    },
  });
  let tree: Tree | null = null;
  let error = '';
  try {
    tree = await handle.done;
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const doneAt = performance.now();
  clearInterval(timer);
  return {
    error,
    stripped: strip(tree),
    stats: tree?.stats ?? null,
    nodes: tree?.nodes.length ?? 0,
    treeEvents: tree?.events.length ?? 0,
    roles: tree ? [...new Set(tree.nodes.map((n) => n.role))] : [],
    received: eventTimes.length,
    inOrder,
    firstEventMs: eventTimes.length ? eventTimes[0]! - t0 : null,
    lastEventMs: eventTimes.length ? eventTimes.at(-1)! - t0 : null,
    doneMs: doneAt - t0,
    stopToDoneMs: stopAt ? doneAt - stopAt : null,
    partialNodes,
    mirrorMatches: lastMirror !== null && strip({ ...(lastMirror as Tree) }) === strip(tree),
    pageTokenize: pageTokenize ? await pageTokenize : null,
    ticks,
  };
}

let view: HTMLElementTagNameMap['lab-search-view'] | null = null;

/** Mount <lab-search-view> with tiny-a and a real store; `hash` sets the lesson. */
async function mountView(hash: string) {
  history.replaceState(null, '', hash);
  const store = await LabStore.open('search-view-test');
  session.update({ engines: new Map([['tiny-a', engine!]]), store });
  view = document.createElement('lab-search-view');
  document.getElementById('mount')!.append(view);
  await view.updateComplete;
}

async function sessionInfo() {
  const s = session.state;
  const tree = s.trees.at(-1) ?? null;
  const run = s.runId && s.store ? await s.store.getRun(s.runId) : null;
  return {
    runId: s.runId,
    trees: s.trees.length,
    nodes: tree?.nodes.length ?? 0,
    events: tree?.events.length ?? 0,
    stoppedBy: tree?.stats.stoppedBy ?? null,
    run: run ? { kind: run.run.kind, status: run.run.status, types: run.items.map((i) => i.type), events: run.items.filter((i) => i.type === 'event').length } : null,
    hash: location.hash,
  };
}

/** Show the session's tree with markup injected into a node's text (untrusted model text). */
async function showHostileTree() {
  const tree = structuredClone(session.state.trees.at(-1)!);
  tree.nodes[1]!.text = '<img src=x onerror="window.pwned=1"><b>bold?</b>';
  view!.tree = tree;
  await view!.updateComplete;
}

/** The last tree's pattern name and each node's role, parent and depth (for the pattern editor test). */
function treeShape() {
  const tree = session.state.trees.at(-1);
  return tree ? { pattern: tree.config.pattern, nodes: tree.nodes.map((n) => ({ id: n.id, role: n.role, parent: n.parent, depth: n.depth })) } : null;
}

Object.assign(globalThis, { labSearch: { load, search, mountView, sessionInfo, showHostileTree, treeShape } });
document.getElementById('status')!.textContent = 'ready';
