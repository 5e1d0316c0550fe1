/** Shared set-up for the trainer tests: the shipped models, their tokenizers and a few real pairs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDevice, init } from '@jax-js/jax';
import { readModelFolder } from '../../src/cli/checkpoints.js';
import { MODELS_DIR } from '../../src/engines/ort/node.js';
import { ChatTokenizer } from '../../src/engines/ort/tokenizer.js';
import type { DpoExample } from '../../src/train/batch.js';
import { dpoExamples } from '../../src/train/data.js';
import { modelConfig } from '../../src/train/model.js';
import { readHfWeights } from '../../src/train/onnx-weights.js';
import { DEFAULT_SETTINGS, type TrainSettings } from '../../src/train/trainer.js';

export async function jaxWasm(): Promise<void> {
  await init('wasm');
  defaultDevice('wasm');
}

export function model(id: string) {
  const dir = join(MODELS_DIR, id);
  const files = readModelFolder(dir);
  const cfg = modelConfig(files.config);
  const tok = new ChatTokenizer(files.tokenizer, files.tokenizerConfig, files.generationConfig);
  return { dir, files, cfg, tok, weights: readHfWeights(files.onnx), trainTok: { prompt: (m: { role: 'user'; content: string }[]) => tok.prompt(m), encode: (s: string) => tok.encode(s), eos: [...tok.stopIds][0]! } };
}

/** Letter-counting pairs in the models' node format: a right and a wrong count per question. */
export const PAIR_ROWS = [
  ['How many times does the letter "s" appear in "address"?', 'a,d,d,r,e,s(1),s(2). Total: 2.', '2', 'a,d,d,r,e,s(1),s. Total: 1.', '1'],
  ['How many times does the letter "r" appear in "mirror"?', 'm,i,r(1),r(2),o,r(3). Total: 3.', '3', 'm,i,r(1),r(2),o,r. Total: 2.', '2'],
  ['How many times does the letter "e" appear in "level"?', 'l,e(1),v,e(2),l. Total: 2.', '2', 'l,e(1),v,e,l. Total: 1.', '1'],
  ['How many times does the letter "o" appear in "cocoon"?', 'c,o(1),c,o(2),o(3),n. Total: 3.', '3', 'c,o(1),c,o(2),o,n. Total: 2.', '2'],
].map(([q, good, a, bad, b], i) => ({
  id: String(i),
  line: i + 1,
  prompt: q!,
  chosen: `<Thinking>${good}</Thinking><Answer>The answer is: \\boxed{${a}}</Answer>`,
  rejected: `<Thinking>${bad}</Thinking><Answer>The answer is: \\boxed{${b}}</Answer>`,
  commonPrefixChars: null,
}));

export function pairs(m: ReturnType<typeof model>): DpoExample[] {
  return dpoExamples(PAIR_ROWS, m.trainTok, 'pairs.jsonl', m.cfg.maxPositions);
}

export function settings(over: Partial<TrainSettings> = {}, dpo: Partial<TrainSettings['dpo']> = {}): TrainSettings {
  return { ...DEFAULT_SETTINGS, lr: 1e-4, steps: 10, microBatch: 4, ...over, dpo: { ...DEFAULT_SETTINGS.dpo, ...dpo } };
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
