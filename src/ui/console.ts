/**
 * `window.lab`: the core libraries on the DevTools console, the same code the views run.
 *   lab.tasks.generateProblems('letters', 3, 1)            // seeded problems
 *   lab.tasks.FAMILIES.letters.verify(problem, text)       // rule-based verdict
 *   lab.search.runSearch(problem, task, { think: lab.session.state.engines.get('tiny-a') }, { pattern: lab.search.BUILTIN_PATTERNS[0], rollouts: 4 })
 *   lab.losses.dpoMetrics([{ policyChosen: [-1, -2], policyRejected: [-1, -3], refChosen: [-1, -2.5],
 *     refRejected: [-1, -2.5], commonPrefix: 1 }], { loss: 'sigmoid', beta: 0.1, eps: 0, alpha: 1, maskCommonPrefix: true })
 *   await lab.gpu.maskedLogprobs({ vocab: 3, logits: [1, 2, 3, 0, 0, 90], targets: [2, 0], mask: [1, 1] })
 *   await lab.train({ pairs: [{ prompt, chosen, rejected }], steps: 3, device: 'wasm' })  // metrics per step + checkpoint id
 *   lab.session.state                                      // loaded engines, trees, pairs, scores
 */
import { installLabGpu } from '../gpu/console.js';
import * as extract from '../data/extract.js';
import * as losses from '../dpo/losses.js';
import { maskedLogprobs } from '../dpo/logprobs.js';
import * as passk from '../eval/passk.js';
import { BUILTIN_PATTERNS } from '../mcts/patterns.js';
import { runSearch, bestAnswer } from '../mcts/search.js';
import * as tasks from '../tasks/index.js';
import { session } from './app/session.js';
import { consoleTrain } from './train/console-train.js';

/** Install `window.lab` (tasks, search, data, losses, eval, gpu, session) and return it. */
export function installLabConsole(): Record<string, unknown> {
  const g = globalThis as unknown as { lab?: Record<string, unknown> };
  installLabGpu();
  Object.assign((g.lab ??= {}), {
    tasks,
    search: { runSearch, bestAnswer, BUILTIN_PATTERNS },
    data: extract,
    losses: { ...losses, maskedLogprobs },
    eval: passk,
    session,
    train: consoleTrain,
  });
  return g.lab;
}
