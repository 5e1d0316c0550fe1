/** `lab mcts`: one MCTS tree per problem, written as JSONL (one tree@1 object per line). */
import { readFileSync } from 'node:fs';
import { ENGINE_FLAGS, ENGINE_HELP, loadEngineFromFlags } from './engine-flags.js';
import type { EngineInfo } from '../core/engine.js';
import { Rng } from '../core/rng.js';
import { choosePattern, parsePatternJson } from '../mcts/patterns.js';
import { runSearch, treeConfig, type SearchConfig } from '../mcts/search.js';
import { dataset } from '../tasks/datasets.js';
import { family, generateProblems } from '../tasks/index.js';

import { num, parse, UsageError } from './args.js';
import { JsonlAppender, type KeptRecord } from './atomic-write.js';
import { checkResume } from './mcts-resume.js';
import { readDatasetFile } from './files.js';

const HELP = `lab mcts --task NAME (--count K --seed S | --input FILE.jsonl) --model A [options]
  --task NAME          built-in family: letters, arithmetic, wordproblems, blocksworld;
                       with --input also gsm8k, math, aime, ifeval (dataset rows, own fields)
  --count K --seed S   K generated problems from seed S (with --input: the first K rows)
  --input FILE.jsonl   problems from a dataset file
  --model A            thinking model (e.g. tiny-a)
  --reflect-model B    model for Reflection and Double-Check nodes (default: A)
  --pattern NAME|FILE  builtin pattern name, "random" (seeded, default) or a JSON file
  --rollouts N         rollouts per problem (default 16)
  --c C                UCT exploration constant (default 1.4)
  --max-depth D        depth cap, forces an Answer (default 8)
  --target-correct K   stop a search after K correct answers
  --temperature T      sampling temperature (default 0.8)
  --reward R           verifier | confidence | mix (default verifier)
  --out FILE           write trees as JSONL: each finished tree is appended to FILE.partial at
                       once, renamed to FILE at the end (a crash keeps the finished trees)
  --resume             with --out: keep the trees an earlier run wrote (FILE.partial after a
                       crash, else FILE) and search only the problems not in them; refused when
                       those trees were searched with other settings (model, engine, pattern,
                       rollouts, c, depth, seed, temperature, reward...) or for problems this
                       run does not have; an unfinished last line is dropped and searched again`;

export async function mctsCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('mcts', argv, {
    task: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' }, model: { type: 'string' }, 'reflect-model': { type: 'string' },
    pattern: { type: 'string' }, rollouts: { type: 'string' }, c: { type: 'string' }, 'max-depth': { type: 'string' }, 'target-correct': { type: 'string' },
    temperature: { type: 'string' }, reward: { type: 'string' }, out: { type: 'string' }, input: { type: 'string' }, resume: { type: 'boolean' },
    ...ENGINE_FLAGS,
  });
  if (v.help) return out(`${HELP}\n${ENGINE_HELP}`);
  if (typeof v.task !== 'string') throw new UsageError('lab mcts: --task is required, e.g. --task letters');
  if (typeof v.model !== 'string') throw new UsageError('lab mcts: --model is required, e.g. --model tiny-a');
  const fromFile = typeof v.input === 'string';
  const task = fromFile ? dataset(v.task) : family(v.task);
  const count = num('mcts', 'count', v.count, 5, 1, 100000);
  const seed = num('mcts', 'seed', v.seed, 0, 0, 2 ** 31);
  const reward = (v.reward ?? 'verifier') as 'verifier' | 'confidence' | 'mix';
  if (!['verifier', 'confidence', 'mix'].includes(reward)) throw new UsageError(`lab mcts: --reward must be verifier, confidence or mix, got "${String(v.reward)}"`);
  let patternArg: string | undefined = typeof v.pattern === 'string' ? v.pattern : undefined;
  let filePattern = null;
  if (patternArg && patternArg.endsWith('.json')) {
    let text: string;
    try {
      text = readFileSync(patternArg, 'utf8');
    } catch (e) {
      throw new Error(`${patternArg}: ${(e as Error).message}`);
    }
    filePattern = parsePatternJson(text, patternArg);
    patternArg = undefined;
  }
  if (v.resume && typeof v.out !== 'string') throw new UsageError('lab mcts: --resume needs --out FILE (the file to continue)');
  const problems = fromFile ? readDatasetFile(v.input as string, v.task).slice(0, v.count !== undefined ? count : undefined) : generateProblems(v.task, count, seed);
  const reflectModel = typeof v['reflect-model'] === 'string' ? v['reflect-model'] : v.model;
  /** The search settings of one problem (its pattern is drawn per problem when --pattern is random). */
  const searchConfig = (problemId: string): SearchConfig => ({
    pattern: filePattern ?? choosePattern(patternArg, new Rng(`pattern:${seed}:${problemId}`)),
    rollouts: num('mcts', 'rollouts', v.rollouts, 16, 1, 10000),
    c: num('mcts', 'c', v.c, 1.4, 0, 100, true),
    maxDepth: num('mcts', 'max-depth', v['max-depth'], 8, 2, 64),
    ...(v['target-correct'] !== undefined ? { targetCorrect: num('mcts', 'target-correct', v['target-correct'], 1, 1, 10000) } : {}),
    temperature: num('mcts', 'temperature', v.temperature, 0.8, 0, 5, true),
    reward,
    seed,
  });
  // What a tree of this run records (treeConfig), known before the engines load: an engine's
  // info.id is its --model (ort and openai alike) and both run on the --engine backend.
  const backend: EngineInfo['backend'] = v.engine === 'openai' ? 'openai' : 'ort';
  const engineIds = { think: { id: v.model, backend }, reflect: { id: reflectModel, backend } };
  let done = new Set<string>();
  const check = (kept: readonly KeptRecord[], from: string) => {
    done = checkResume(kept, from, { task: task.name, expected: (id) => treeConfig(searchConfig(id), engineIds), problems });
  };
  const sink = typeof v.out === 'string' ? new JsonlAppender(v.out, { resume: !!v.resume, check }) : null;
  for (const d of sink?.dropped ?? []) out(`lab mcts: dropped an unfinished line (a run stopped while writing it): ${d}; its problem is searched again`);
  if (sink?.kept.length) out(`resuming: ${sink.kept.length} trees already in ${sink.partial}`);
  let think, reflect;
  try {
    think = await loadEngineFromFlags('mcts', v, v.model, { prefix: true });
    reflect = reflectModel !== v.model ? await loadEngineFromFlags('mcts', v, reflectModel, { prefix: true }) : think;
  } catch (e) {
    await think?.dispose();
    sink?.abandon();
    throw e;
  }
  let ok = false;
  try {
    for (const p of problems) {
      if (done.has(p.id)) {
        out(`${p.id}: already in ${sink!.partial}, skipped`);
        continue;
      }
      const config = searchConfig(p.id);
      const pattern = config.pattern;
      const tree = await runSearch(p, task, { think, reflect }, config);
      sink?.append(tree);
      const s = tree.stats;
      const refl = tree.nodes.filter((n) => n.role === 'Reflection').length;
      out(`${p.id}: ${s.rollouts} rollouts, ${s.nodes} nodes, answers ${s.correct}/${s.answers} correct, ${refl} reflections, ${s.tokens} tokens, ${s.seconds}s, pattern ${pattern.name}`);
    }
    ok = true;
  } finally {
    await think.dispose();
    if (reflect !== think) await reflect.dispose();
    if (sink && !ok) {
      const kept = sink.abandon();
      if (kept) out(`lab mcts: stopped; ${sink.written} finished trees are in ${kept}: rerun with --resume to continue`);
    }
  }
  if (sink) {
    sink.finish();
    out(`wrote ${sink.written} trees to ${sink.path}`);
  }
}
