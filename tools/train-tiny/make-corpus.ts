/**
 * Build-time: writes the embedded models' tokenizer files and the training corpus.
 *   npx tsx tools/train-tiny/make-corpus.ts [--scale 1] [--out tools/train-tiny/out]
 * Output: out/corpus.jsonl, one line per example with the chat text and, for each model, token ids
 * and a 0/1 loss mask (1 = learn). Ids come from the real tokenizer (transformers.js) applied with
 * the model's own chat template, so training sees exactly what inference will feed.
 * Held-out questions (settings.ts isHeldOut: a fixed fifth of the question space) are excluded.
 */
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { Rng } from '../../src/core/rng.js';
import { FAMILIES, generateProblems, type FamilyName } from '../../src/tasks/index.js';
import { LETTER_WORDS } from '../../src/tasks/letters.js';
import { ROLE_PROMPT_TOKENS, ROLE_TAGS } from '../../src/mcts/roles.js';
import { composeFlow, type FlowName, type Segment } from './flows.js';
import { buildTokenizer, chooseWords, STYLES } from './tokenizer-spec.js';
import { isHeldOut, MAX_REPEAT, MIN_WORD_COUNT, MIXTURE, TRAIN_SEED, MODELS, VALID_SEED, VALID_PER_FAMILY } from './settings.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const scale = Number(flag('scale', '1'));
const outDir = flag('out', 'tools/train-tiny/out');
const modelsDir = 'models';

// Held-out questions (see isHeldOut) and validation questions are never trained on.
const families = Object.keys(FAMILIES) as FamilyName[];

// 1. Validation problems: train side of the split, each family's default difficulty, never trained on. The
// trainer decodes them greedily to pick the checkpoint it ships (the held-out split stays unseen).
const validProblems: { family: FamilyName; question: string; answer: string }[] = [];
const validQuestions = new Set<string>();
for (const fam of families) {
  let n = 0;
  for (const p of generateProblems(fam, VALID_PER_FAMILY * 4, VALID_SEED)) {
    if (n === VALID_PER_FAMILY || isHeldOut(p.question) || validQuestions.has(p.question)) continue;
    validQuestions.add(p.question);
    validProblems.push({ family: fam, question: p.question, answer: p.answer });
    n++;
  }
}

// 2. Worked examples as text: solver traces assembled into the four flows.
interface Example { id: string; family: FamilyName; flow: FlowName; question: string; segments: Segment[] }
const examples: Example[] = [];
const flows: FlowName[] = ['a', 'b', 'c', 'd'];
let skipped = 0;
let repeats = 0;
const seen = new Map<string, number>();
for (const fam of families) {
  const mix = MIXTURE[fam];
  const problems = [
    ...generateProblems(fam, Math.round(mix.d1 * scale), TRAIN_SEED, { difficulty: 1 }),
    ...generateProblems(fam, Math.round(mix.d2 * scale), TRAIN_SEED + 1, { difficulty: 2 }).map((p) => ({ ...p, id: `${p.id}-d2` })),
  ];
  for (const p of problems) {
    if (isHeldOut(p.question) || validQuestions.has(p.question)) {
      skipped++;
      continue;
    }
    const times = seen.get(p.question) ?? 0;
    if (times >= MAX_REPEAT) {
      repeats++;
      continue;
    }
    seen.set(p.question, times + 1);
    const rng = new Rng(`corpus:${p.id}`);
    const trace = FAMILIES[fam].solve(p, rng.fork('solve'));
    const flow = rng.pick(flows);
    examples.push({ id: p.id, family: fam, flow, question: p.question, segments: composeFlow(flow, p, trace, rng.chance(0.3), rng.fork('flow')) });
  }
}

// 3. Tokenizer files for each model: bytes, added tokens, and the corpus's frequent whole words
// (counted outside the tags and role prompts, which are added tokens already).
const addedRe = new RegExp([...ROLE_TAGS, ...ROLE_PROMPT_TOKENS].map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
const words = chooseWords(
  (function* () {
    for (const e of examples) {
      yield e.question;
      for (const s of e.segments) yield s.text.replace(addedRe, '\n');
    }
  })(),
  MIN_WORD_COUNT,
  LETTER_WORDS,
);
for (const m of MODELS) {
  const { tokenizer, config } = buildTokenizer(STYLES[m.style], words);
  mkdirSync(join(modelsDir, m.id), { recursive: true });
  writeFileSync(join(modelsDir, m.id, 'tokenizer.json'), JSON.stringify(tokenizer, null, 1) + '\n');
  writeFileSync(join(modelsDir, m.id, 'tokenizer_config.json'), JSON.stringify(config, null, 2) + '\n');
}
console.log(`tokenizer: ${words.length} whole words (each seen at least ${MIN_WORD_COUNT} times)`);

env.allowRemoteModels = false;
env.localModelPath = `${process.cwd()}/${modelsDir}/`;
const toks = await Promise.all(MODELS.map((m) => AutoTokenizer.from_pretrained(m.id)));

mkdirSync(outDir, { recursive: true });
const promptIds = (k: number, question: string): number[] => {
  const tok = toks[k]!;
  const prompt = tok.apply_chat_template([{ role: 'user', content: question }], { tokenize: false, add_generation_prompt: true }) as string;
  return tok.encode(prompt, { add_special_tokens: false });
};

const valid = createWriteStream(join(outDir, 'valid.jsonl'));
for (const p of validProblems) {
  const rec: Record<string, unknown> = { ...p };
  MODELS.forEach((m, k) => (rec[`prompt_${m.id}`] = promptIds(k, p.question)));
  valid.write(JSON.stringify(rec) + '\n');
}
valid.end();

// 4. Token ids and loss masks from the real tokenizers, with each model's chat template.
const out = createWriteStream(join(outDir, 'corpus.jsonl'));
let written = 0;
let tokens = 0;
const maxLen = 512;
for (const { id, family, flow, question, segments } of examples) {
  const assistant = segments.map((s) => s.text).join('');
  const rec: Record<string, unknown> = { id, family, flow, question, assistant };
  let tooLong = false;
  MODELS.forEach((m, k) => {
    const tok = toks[k]!;
    const ids: number[] = [];
    const mask: number[] = [];
    const push = (text: string, learn: boolean) => {
      const t = tok.encode(text, { add_special_tokens: false });
      ids.push(...t);
      mask.push(...t.map(() => (learn ? 1 : 0)));
    };
    ids.push(...promptIds(k, question));
    mask.push(...ids.map(() => 0));
    for (const s of segments) push(s.text, s.learn);
    push(STYLES[m.style].eos, true);
    // Every segment starts with an added token (a node tag), and added tokens split pre-tokens, so
    // segment-wise ids must equal whole-text ids; checked, because the loss mask relies on it.
    const prompt = tok.apply_chat_template([{ role: 'user', content: question }], { tokenize: false, add_generation_prompt: true }) as string;
    const whole = tok.encode(prompt + assistant + STYLES[m.style].eos, { add_special_tokens: false });
    if (whole.length !== ids.length || whole.some((v: number, i: number) => v !== ids[i])) throw new Error(`tokenization is not compositional for ${id}`);
    if (ids.length > maxLen) tooLong = true;
    rec[`ids_${m.id}`] = ids;
    rec[`mask_${m.id}`] = mask;
  });
  if (tooLong) {
    skipped++;
    continue;
  }
  tokens += (rec[`ids_${MODELS[0]!.id}`] as number[]).length;
  out.write(JSON.stringify(rec) + '\n');
  written++;
}
out.end();
await Promise.all([out, valid].map((s) => new Promise<void>((r) => s.on('finish', () => r()))));
console.log(`corpus: ${written} examples, ${tokens} ${MODELS[0]!.id} tokens, written to ${join(outDir, 'corpus.jsonl')} (${skipped} skipped: held-out overlap or > ${maxLen} tokens; ${repeats} repeats over ${MAX_REPEAT} dropped)`);
