/**
 * Recorded demo runs, so the Search view is never empty: a real MCTS search on a letters question
 * with the embedded models (tiny-a thinks, tiny-b reflects) through the lab's own libraries in
 * Node, the SFT / DPO data extracted from its tree and a small Test@N summary of both models.
 *
 *   npx tsx tools/make-demos.ts [--seed 7] [--rollouts 12] [--out public/demos]
 *
 * Writes public/demos/letters-demo.json (schema reasoning-lab/demo@1) and public/demos/index.json.
 * Re-run after retraining the tiny models. Files are written whole (temp file + rename).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic as writeAtomic } from '../src/cli/atomic-write.js';
import { dpoRecord, selectDpo, selectSft, sftRecord, treePaths } from '../src/data/extract.js';
import { loadNodeEngine } from '../src/engines/ort/node.js';
import { runTestN, type TestNSummary } from '../src/eval/testn.js';
import { BUILTIN_PATTERNS } from '../src/mcts/patterns.js';
import { runSearch } from '../src/mcts/search.js';
import type { Tree } from '../src/mcts/tree.js';
import { family, generateProblems } from '../src/tasks/index.js';
import { DEMO_INDEX_SCHEMA, DEMO_SCHEMA } from '../src/ui/demos.js';

const MAX_BYTES = 300_000;


/** A tree worth showing: right and wrong answers, ideally a Reflection by the second model. */
function score(t: Tree): number {
  const answers = t.nodes.filter((n) => n.role === 'Answer');
  const right = answers.some((a) => a.verdict?.correct);
  const wrong = answers.some((a) => a.verdict && !a.verdict.correct);
  const refl = t.nodes.some((n) => n.role === 'Reflection');
  return (right ? 2 : 0) + (wrong ? 2 : 0) + (refl ? 1 : 0);
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({ options: { seed: { type: 'string', default: '7' }, rollouts: { type: 'string', default: '12' }, out: { type: 'string', default: 'public/demos' }, tries: { type: 'string', default: '6' } } });
  const seed = Number(v.seed);
  const rollouts = Number(v.rollouts);
  const outDir = resolve(v.out!);
  const t0 = Date.now();
  const think = await loadNodeEngine('tiny-a');
  const reflect = await loadNodeEngine('tiny-b');
  try {
    const task = family('letters');
    const pattern = BUILTIN_PATTERNS[0]!;
    let best: Tree | null = null;
    for (const p of generateProblems('letters', Number(v.tries), seed)) {
      const tree = await runSearch(p, task, { think, reflect }, { pattern, rollouts, seed, temperature: 0.8 });
      process.stderr.write(`${p.id}: ${tree.stats.nodes} nodes, ${tree.stats.correct}/${tree.stats.answers} correct, score ${score(tree)}\n`);
      if (!best || score(tree) > score(best)) best = tree;
      if (score(best) === 5) break;
    }
    const tree = best!;
    const paths = treePaths(tree);
    const sft = selectSft(paths, 'reward').map(sftRecord);
    const dpo = selectDpo(paths).map(dpoRecord);

    // A small Test@N of both models on the same problems and seeds (summaries only, no texts).
    const evalCfg = { task: 'letters', count: 6, seed: 0, n: 4, ks: [1, 2, 4], temperature: 0.8, maxTokens: 200 };
    const problems = generateProblems(evalCfg.task, evalCfg.count, evalCfg.seed);
    const runs: { label: string; model: string; decode: 'sample'; summary: TestNSummary }[] = [];
    for (const [id, engine] of [['tiny-a', think], ['tiny-b', reflect]] as const) {
      const r = await runTestN(problems, task, { think: engine }, { n: evalCfg.n, ks: evalCfg.ks, decode: 'sample', temperature: evalCfg.temperature, maxTokens: evalCfg.maxTokens, seed: evalCfg.seed, bootstrap: 500 });
      runs.push({ label: `${id} sampling`, model: id, decode: 'sample', summary: r.summary });
    }

    const title = `Letters: "${tree.task.question}" (tiny-a thinks, tiny-b reflects)`;
    const demo = {
      schema: DEMO_SCHEMA,
      id: 'letters-demo',
      title,
      description: `A recorded MCTS search (${tree.stats.rollouts} rollouts, ${tree.stats.nodes} nodes, ${tree.stats.correct} of ${tree.stats.answers} answers correct) with its event log for step-by-step replay, the SFT and DPO data extracted from it, and Test@k of both tiny models on ${evalCfg.count} letters problems.`,
      recordedAt: new Date().toISOString().slice(0, 10),
      models: { think: 'tiny-a', reflect: 'tiny-b' },
      tree,
      sft,
      dpo,
      eval: { ...evalCfg, runs },
    };
    const text = JSON.stringify(demo);
    if (text.length > MAX_BYTES) throw new Error(`demo is ${text.length} bytes, over the ${MAX_BYTES} budget: lower --rollouts`);
    mkdirSync(outDir, { recursive: true });
    writeAtomic(join(outDir, 'letters-demo.json'), text + '\n');
    const index = {
      schema: DEMO_INDEX_SCHEMA,
      demos: [{ id: demo.id, file: 'letters-demo.json', title, task: tree.task.family, nodes: tree.stats.nodes, bytes: text.length + 1 }],
    };
    writeAtomic(join(outDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
    process.stderr.write(`wrote ${join(outDir, 'letters-demo.json')} (${((text.length + 1) / 1024).toFixed(1)} KiB: ${tree.stats.nodes} nodes, ${tree.events.length} events, ${sft.length} SFT, ${dpo.length} DPO) and index.json in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  } finally {
    await think.dispose();
    await reflect.dispose();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`make-demos: ${e.message}\n`);
  process.exit(1);
});
