/**
 * Monte Carlo Tree Search over thought nodes (the paper's Section 2). Each rollout selects by UCT
 * (`Q/N + C·sqrt(ln N_parent / N)`, unvisited children first, seeded tie-break), expands along the
 * reasoning pattern until an Answer node (`samples` children per edge in one batched engine call,
 * each continuing the path so far plus the role prompt), evaluates the answer with the task
 * verifier (and/or the Marco-o1 v1 confidence reward), back-propagates, and after a wrong answer
 * attaches a Reflection written by the reflect model under the configured ancestor.
 */
import { abortError, type ChatMessage, type Completion, type Engine, type EngineInfo } from '../core/engine.js';
import { fnv1a, Rng } from '../core/rng.js';
import { lastBoxed } from '../tasks/answer.js';
import type { Problem, Verdict } from '../tasks/types.js';

/** What the search needs of a task: its verifier (a TaskFamily or a DatasetFamily). */
export interface Verifier {
  verify(problem: Problem, output: string): Verdict;
}
import type { ReasoningPattern } from './patterns.js';
import { closeTag, cutAtRoleTag, formatNode, nodePrefix, nodeStops, type Role } from './roles.js';
import { pathTo, TREE_SCHEMA, type Tree, type TreeEvent, type TreeNode, type TreeStats } from './tree.js';

export interface SearchConfig {
  pattern: ReasoningPattern;
  /** Exploration constant C (default 1.4). */
  c?: number;
  /** Number of rollouts (default 16). */
  rollouts?: number;
  /** Stop once this many distinct correct Answer nodes exist. */
  targetCorrect?: number;
  /** Depth cap below the root; at the cap the next node is forced to be Answer (default 8). */
  maxDepth?: number;
  /** Stop when the generated tokens exceed this budget. */
  tokenBudget?: number;
  /** Stop after this many milliseconds of wall clock. */
  timeBudgetMs?: number;
  seed?: number;
  temperature?: number;
  /** Max tokens per node (default 160). */
  maxNodeTokens?: number;
  /** verifier: 1/0; confidence: v1 token confidence; mix: w·verifier + (1-w)·confidence. */
  reward?: 'verifier' | 'confidence' | 'mix';
  mixWeight?: number;
  /**
   * Decoding mode: the search never sees the reference answer. The reward is the model's own
   * confidence, answers are not verified and there is no backtracking (used by MCTS decoding).
   */
  blind?: boolean;
  /** Role → engine key; default Reflection and Double-Check by 'reflect', the rest by 'think'. */
  roleModels?: Partial<Record<Role, 'think' | 'reflect'>>;
}

export interface SearchEngines {
  think: Engine;
  /** Defaults to `think` (single-model search). */
  reflect?: Engine;
}

export const DEFAULT_ROLE_MODELS: Partial<Record<Role, 'think' | 'reflect'>> = { Reflection: 'reflect', 'Double-Check': 'reflect' };

/** The search settings with their defaults filled in. */
function withDefaults(config: SearchConfig) {
  return {
    c: config.c ?? 1.4,
    rollouts: config.rollouts ?? 16,
    maxDepth: config.maxDepth ?? 8,
    seed: config.seed ?? 0,
    temperature: config.temperature ?? 0.8,
    maxNodeTokens: config.maxNodeTokens ?? 160,
    reward: config.blind ? ('confidence' as const) : (config.reward ?? 'verifier'),
    mixWeight: config.mixWeight ?? 0.5,
    roleModels: { ...DEFAULT_ROLE_MODELS, ...config.roleModels },
  };
}

/**
 * The settings a tree records in its `config`: the search settings (defaults filled in), the
 * pattern's name and the two engines (model id and backend). `lab mcts --resume` compares them
 * with what the resumed run would record, so trees of other settings are never mixed in one file.
 */
export function treeConfig(config: SearchConfig, engines: { think: Pick<EngineInfo, 'id' | 'backend'>; reflect: Pick<EngineInfo, 'id' | 'backend'> }): Record<string, unknown> {
  const cfg = withDefaults(config);
  return {
    pattern: config.pattern.name, c: cfg.c, rollouts: cfg.rollouts, maxDepth: cfg.maxDepth, seed: cfg.seed,
    temperature: cfg.temperature, maxNodeTokens: cfg.maxNodeTokens, reward: cfg.reward, think: engines.think.id,
    reflect: engines.reflect.id, roleModels: cfg.roleModels, ...(config.targetCorrect ? { targetCorrect: config.targetCorrect } : {}),
    ...(config.tokenBudget ? { tokenBudget: config.tokenBudget } : {}),
    // Only where it changes the reward.
    ...(cfg.reward === 'mix' ? { mixWeight: cfg.mixWeight } : {}),
    backends: { think: engines.think.backend, reflect: engines.reflect.backend },
  };
}

/** Marco-o1 v1 confidence: mean over tokens of exp(lp) / Σ exp(top-5 lp). */
export function confidenceReward(c: Pick<Completion, 'logprobs'>): number {
  const toks = c.logprobs.filter((t) => t.top.length > 0);
  if (toks.length === 0) return 0;
  let sum = 0;
  for (const t of toks) {
    const denom = t.top.slice(0, 5).reduce((a, x) => a + Math.exp(x.logprob), 0);
    sum += Math.exp(t.logprob) / Math.max(denom, Math.exp(t.logprob));
  }
  return sum / toks.length;
}

/** Run one search for one problem. `onEvent` sees every event as it happens (live tree view). */
export async function runSearch(
  problem: Problem,
  task: Verifier,
  engines: SearchEngines,
  config: SearchConfig,
  opts: { signal?: AbortSignal; onEvent?: (e: TreeEvent, tree: Tree) => void } = {},
): Promise<Tree> {
  const cfg = withDefaults(config);
  if (cfg.maxDepth < 2) throw new Error('maxDepth must be at least 2');
  const pattern = config.pattern;
  const reflect = engines.reflect ?? engines.think;
  const engineFor = (role: Role) => (cfg.roleModels[role] === 'reflect' ? reflect : engines.think);
  const rng = new Rng(`search:${cfg.seed}:${problem.id}`);
  const started = Date.now();
  const messages: ChatMessage[] = [{ role: 'user', content: problem.question }];
  const root: TreeNode = { id: 0, parent: null, role: 'root', text: problem.question, model: '', tokens: 0, visits: 0, value: 0, verdict: null, depth: 0, iteration: 0, truncated: false, children: [] };
  const stats: TreeStats = { rollouts: 0, nodes: 1, answers: 0, correct: 0, tokens: 0, seconds: 0, stoppedBy: 'rollouts', strayTags: 0 };
  const tree: Tree = {
    schema: TREE_SCHEMA,
    id: `${problem.id}:${pattern.name}:${cfg.seed}`,
    task: { family: problem.family, problemId: problem.id, question: problem.question, answer: problem.answer },
    config: treeConfig(config, { think: engines.think.info, reflect: reflect.info }),
    nodes: [root],
    events: [],
    stats,
  };
  const nodes = tree.nodes;
  const emit = (e: TreeEvent) => {
    tree.events.push(e);
    opts.onEvent?.(e, tree);
  };
  const pathText = (id: number) => pathTo(nodes, id).slice(1).map((i) => formatNode(nodes[i]!.role as Role, nodes[i]!.text)).join('');

  /** Generate `n` children of `parent` with `role`, batched in one engine call. */
  const expand = async (parent: TreeNode, role: Role, n: number, iteration: number): Promise<TreeNode[]> => {
    const engine = engineFor(role);
    const wantConf = role === 'Answer' && cfg.reward !== 'verifier';
    const out = await engine.generate(
      { messages, prefix: pathText(parent.id) + nodePrefix(role), n, temperature: cfg.temperature, seed: fnv1a(`${cfg.seed}:${iteration}:${parent.id}:${role}`), maxTokens: cfg.maxNodeTokens, stop: nodeStops(role), ...(wantConf ? { topLogprobs: 5 } : {}) },
      opts.signal,
    );
    const made = out.map((c) => {
      // A node holds one role's text: it ends at its close tag, or is cut at any other role tag
      // (the engine stops there; a tag still in the text, e.g. from a server, is cut here).
      const cut = cutAtRoleTag(c.text);
      const stray = cut.tag ?? (c.finishReason === 'stop' && c.stop && c.stop !== closeTag(role) ? c.stop : null);
      const node: TreeNode = { id: nodes.length, parent: parent.id, role, text: cut.text, model: engine.info.id, tokens: c.tokens.length, visits: 0, value: 0, verdict: null, depth: parent.depth + 1, iteration, truncated: c.finishReason !== 'stop' && !cut.tag, children: [], ...(stray ? { cutAt: stray } : {}) };
      if (stray) stats.strayTags = (stats.strayTags ?? 0) + 1;
      if (role === 'Answer') node.verdict = score(node, c);
      nodes.push(node);
      parent.children.push(node.id);
      stats.tokens += c.tokens.length;
      return node;
    });
    stats.nodes = nodes.length;
    emit({ type: 'expand', iteration, node: parent.id, role, model: engine.info.id, children: made.map((m) => m.id) });
    return made;
  };

  const score = (node: TreeNode, c: Completion): NonNullable<TreeNode['verdict']> => {
    let v: { correct: boolean; extracted: string | null; reason: string };
    if (config.blind) {
      v = { correct: false, extracted: lastBoxed(node.text), reason: 'not verified (blind decoding)' };
    } else try {
      v = task.verify(problem, formatNode("Answer", node.text));
    } catch (e) {
      v = { correct: false, extracted: null, reason: `verifier error: ${(e as Error).message}` };
    }
    const conf = cfg.reward === 'verifier' ? 0 : confidenceReward(c);
    const reward = cfg.reward === 'verifier' ? Number(v.correct) : cfg.reward === 'confidence' ? conf : cfg.mixWeight * Number(v.correct) + (1 - cfg.mixWeight) * conf;
    stats.answers++;
    if (v.correct) stats.correct++;
    if (config.blind) return { ...v, reward: conf };
    return { ...v, reward };
  };

  const childRoles = (node: TreeNode): [Role, number][] => {
    if (node.role === 'root') return [[pattern.start, pattern.rootSamples]];
    if (node.depth + 1 >= cfg.maxDepth) return [['Answer', 1]];
    const edges = Object.entries(pattern.next[node.role as Role] ?? {}) as [Role, number][];
    return edges.length ? edges : [['Answer', 1]];
  };

  const uct = (parent: TreeNode, child: TreeNode) => (child.visits === 0 ? Infinity : child.value + cfg.c * Math.sqrt(Math.log(Math.max(1, parent.visits)) / child.visits));

  for (let it = 0; it < cfg.rollouts; it++) {
    if (opts.signal?.aborted) {
      stats.stoppedBy = 'abort';
      break;
    }
    if (config.targetCorrect && stats.correct >= config.targetCorrect) {
      stats.stoppedBy = 'target';
      break;
    }
    if (config.tokenBudget && stats.tokens >= config.tokenBudget) {
      stats.stoppedBy = 'tokens';
      break;
    }
    if (config.timeBudgetMs && Date.now() - started >= config.timeBudgetMs) {
      stats.stoppedBy = 'time';
      break;
    }
    // Selection: descend by UCT while the node has children.
    let node = root;
    while (node.children.length > 0 && node.role !== 'Answer') {
      const kids = node.children.map((id) => nodes[id]!);
      const scores = kids.map((k) => uct(node, k));
      const best = Math.max(...scores);
      const ties = kids.filter((_, i) => scores[i] === best);
      const chosen = ties.length === 1 ? ties[0]! : rng.pick(ties);
      emit({ type: 'select', iteration: it, node: chosen.id, candidates: kids.map((k, i) => ({ node: k.id, uct: Number.isFinite(scores[i]!) ? scores[i]! : null, visits: k.visits, value: k.value })) });
      node = chosen;
    }
    // Expansion down the pattern until an Answer node.
    while (node.role !== 'Answer') {
      const made: TreeNode[] = [];
      for (const [role, n] of childRoles(node)) made.push(...(await expand(node, role, n, it)));
      if (made.length === 0) break;
      node = made[0]!;
      emit({ type: 'select', iteration: it, node: node.id, candidates: made.map((k) => ({ node: k.id, uct: null, visits: 0, value: 0 })) });
    }
    // Evaluation and back-propagation.
    const verdict = node.verdict ?? { correct: false, extracted: null, reason: 'no answer node', reward: 0 };
    emit({ type: 'evaluate', iteration: it, node: node.id, correct: verdict.correct, reward: verdict.reward, extracted: verdict.extracted, reason: verdict.reason });
    const path = pathTo(nodes, node.id);
    for (const id of path) {
      const n = nodes[id]!;
      n.value = (n.value * n.visits + verdict.reward) / (n.visits + 1);
      n.visits++;
    }
    emit({ type: 'backprop', iteration: it, path, reward: verdict.reward });
    stats.rollouts = it + 1;
    // Backtracking: a Reflection by the reflect model under the nearest configured ancestor.
    if (!verdict.correct && !config.blind) {
      const anchorId = [...path].reverse().find((id) => nodes[id]!.role === pattern.backtrack && nodes[id]!.depth + 1 < cfg.maxDepth);
      if (anchorId !== undefined) {
        const [refl] = await expand(nodes[anchorId]!, 'Reflection', 1, it);
        emit({ type: 'backtrack', iteration: it, from: node.id, to: anchorId, reflection: refl!.id, model: refl!.model });
      }
    }
  }
  if (opts.signal?.aborted && stats.stoppedBy !== 'abort') throw abortError();
  stats.seconds = Math.round((Date.now() - started) / 100) / 10;
  return tree;
}

/** The best-valued correct-or-not Answer node (highest value, then visits, then lowest id). */
export function bestAnswer(tree: Tree): TreeNode | null {
  const answers = tree.nodes.filter((n) => n.role === 'Answer');
  if (!answers.length) return null;
  return answers.reduce((a, b) => (b.value > a.value || (b.value === a.value && b.visits > a.visits) ? b : a));
}
