/**
 * Recorded demo runs (public/demos/, written by tools/make-demos.ts): a real search tree with its
 * event log, the data extracted from it and a small Test@N summary, fetched from the app itself
 * (precached for offline use) so the Search view can replay a search with no model loaded.
 * No Lit here: the loader element lives in demo-loader.ts.
 */
import { parseTrees } from '../data/trees-io.js';
import { selectDpo, treePaths } from '../data/extract.js';
import type { TestNSummary } from '../eval/testn.js';
import type { Tree } from '../mcts/tree.js';
import { session, type Session } from './app/session.js';

export const DEMO_SCHEMA = 'reasoning-lab/demo@1';
export const DEMO_INDEX_SCHEMA = 'reasoning-lab/demos@1';

export interface DemoIndexEntry {
  id: string;
  /** File name under demos/. */
  file: string;
  title: string;
  task: string;
  nodes: number;
  bytes: number;
}

export interface DemoRun {
  schema: typeof DEMO_SCHEMA;
  id: string;
  title: string;
  description: string;
  recordedAt: string;
  models: { think: string; reflect: string };
  tree: Tree;
  /** SFT records (chat messages + meta) extracted from the tree. */
  sft: Record<string, unknown>[];
  /** DPO records (TRL prompt / chosen / rejected + meta) extracted from the tree. */
  dpo: Record<string, unknown>[];
  eval?: { task: string; count: number; seed: number; n: number; ks: number[]; temperature: number; maxTokens: number; runs: { label: string; model: string; decode: 'sample' | 'mcts'; summary: TestNSummary }[] };
}

type FetchLike = (url: string) => Promise<Pick<Response, 'ok' | 'status' | 'text'>>;

function demosBase(): string {
  return `${import.meta.env?.BASE_URL ?? '/'}demos/`;
}

async function getText(url: string, fetchImpl: FetchLike): Promise<string> {
  let res;
  try {
    res = await fetchImpl(url);
  } catch (e) {
    throw new Error(`could not fetch ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.text();
}

function parseJson(text: string, url: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${url}: ${(e as Error).message}`);
  }
}

/** The demo list (demos/index.json). */
export async function listDemos(fetchImpl: FetchLike = (u) => fetch(u), base = demosBase()): Promise<DemoIndexEntry[]> {
  const url = `${base}index.json`;
  const doc = parseJson(await getText(url, fetchImpl), url);
  if (doc.schema !== DEMO_INDEX_SCHEMA || !Array.isArray(doc.demos)) throw new Error(`${url}: field "schema" must be "${DEMO_INDEX_SCHEMA}" with a "demos" list`);
  return doc.demos as DemoIndexEntry[];
}

/** Fetch and validate one demo (default: the letters demo). The tree is checked like an import. */
export async function loadDemo(file = 'letters-demo.json', fetchImpl: FetchLike = (u) => fetch(u), base = demosBase()): Promise<DemoRun> {
  const url = `${base}${file}`;
  const doc = parseJson(await getText(url, fetchImpl), url);
  if (doc.schema !== DEMO_SCHEMA) throw new Error(`${url}: field "schema" must be "${DEMO_SCHEMA}"`);
  const [tree] = parseTrees(JSON.stringify(doc.tree ?? null), `${url}#tree`);
  if (!tree || !Array.isArray(tree.events)) throw new Error(`${url}: field "tree.events" must be an array`);
  return { ...(doc as unknown as DemoRun), tree, sft: Array.isArray(doc.sft) ? (doc.sft as DemoRun['sft']) : [], dpo: Array.isArray(doc.dpo) ? (doc.dpo as DemoRun['dpo']) : [] };
}

/**
 * Put a demo on the session: its tree becomes the current (unsaved) run's only tree, and the DPO
 * pairs of that tree are extracted so the Data and Objectives views have something to show.
 */
export function applyDemo(demo: DemoRun, s: Session = session): void {
  s.update({ runId: null, trees: [demo.tree], pairs: selectDpo(treePaths(demo.tree)), scores: new Map() });
}
