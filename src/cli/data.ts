/** `lab extract`, `lab logprobs`, `lab dpo-loss`, `lab score`: data and objectives from the command line. */
import { readFileSync } from 'node:fs';
import { dpoRecord, selectByPerplexity, selectDpo, selectSft, sftRecord, treePaths, withTokenPrefix, type LengthBucket, type SftSelect } from '../data/extract.js';
import { JsonlError, parseJsonl } from '../core/jsonl.js';
import { parseDpoRows, parseTrees } from '../data/trees-io.js';
import { maskedLogprobs } from '../dpo/logprobs.js';
import { dpoMetrics, type DpoArgs, type DpoLossType } from '../dpo/losses.js';
import { loadNodeEngine } from '../engines/ort/node.js';
import { commonPrefixLength } from '../engines/ort/engine.js';
import { num, parse, UsageError } from './args.js';
import { writeFileAtomic } from './files.js';

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

const BUCKETS: Record<string, LengthBucket[] | undefined> = { short: ['short'], medium: ['medium'], long: ['long'], all: undefined };

export async function extractCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('extract', argv, {
    trees: { type: 'string' }, sft: { type: 'string' }, dpo: { type: 'string' }, length: { type: 'string' }, select: { type: 'string' },
    'sft-select': { type: 'string' }, recipe: { type: 'string' }, model: { type: 'string' },
  });
  if (v.help)
    return out(`lab extract --trees trees.jsonl [--sft sft.jsonl] [--dpo dpo.jsonl] [--length short|medium|long|all]
        [--select reward|perplexity] [--sft-select reward|longest|shortest|all] [--recipe paper] [--model tiny-a]
  --select      DPO pairs: reward = each correct path vs the incorrect path with the shortest common
                prefix (default); perplexity = highest-perplexity correct vs lowest-perplexity incorrect
  --recipe paper  the paper's Thoughts Length Balance: SFT from the long bucket (longest path),
                DPO chosen from the short bucket
  --model       scores perplexity and counts common-prefix tokens with this model's tokenizer (default tiny-a)`);
  if (typeof v.trees !== 'string') throw new UsageError('lab extract: --trees FILE is required (the output of `lab mcts --out`)');
  const length = (v.length as string | undefined) ?? 'all';
  if (!(length in BUCKETS)) throw new UsageError(`lab extract: --length must be short, medium, long or all, got "${length}"`);
  const select = (v.select as string | undefined) ?? 'reward';
  if (select !== 'reward' && select !== 'perplexity') throw new UsageError(`lab extract: --select must be reward or perplexity, got "${select}"`);
  let sftSelect = ((v['sft-select'] as string | undefined) ?? 'reward') as SftSelect;
  if (!['reward', 'longest', 'shortest', 'all'].includes(sftSelect)) throw new UsageError(`lab extract: --sft-select must be reward, longest, shortest or all`);
  let sftBuckets = BUCKETS[length];
  let dpoBuckets = BUCKETS[length];
  if (v.recipe !== undefined) {
    if (v.recipe !== 'paper') throw new UsageError('lab extract: --recipe must be "paper"');
    sftSelect = 'longest';
    sftBuckets = ['long'];
    dpoBuckets = ['short'];
  }
  const trees = parseTrees(read(v.trees), v.trees);
  const engine = await loadNodeEngine((v.model as string | undefined) ?? 'tiny-a');
  const sft: Record<string, unknown>[] = [];
  const dpo: Record<string, unknown>[] = [];
  const counts = { trees: trees.length, paths: 0, correct: 0, incorrect: 0, buckets: { short: 0, medium: 0, long: 0 }, sft: 0, dpo: 0 };
  try {
    for (const t of trees) {
      const paths = treePaths(t);
      counts.paths += paths.length;
      counts.correct += paths.filter((p) => p.correct).length;
      counts.incorrect += paths.filter((p) => !p.correct).length;
      for (const p of paths) if (p.correct) counts.buckets[p.bucket]++;
      for (const p of selectSft(paths, sftSelect, sftBuckets)) sft.push(sftRecord(p));
      const pairs = select === 'perplexity' ? await selectByPerplexity(paths, engine, dpoBuckets) : selectDpo(paths, dpoBuckets);
      for (const p of await withTokenPrefix(pairs, (s) => engine.tokenize(s))) dpo.push(dpoRecord(p));
    }
  } finally {
    await engine.dispose();
  }
  counts.sft = sft.length;
  counts.dpo = dpo.length;
  if (typeof v.sft === 'string') writeFileAtomic(v.sft, sft.map((r) => JSON.stringify(r)).join('\n') + (sft.length ? '\n' : ''));
  if (typeof v.dpo === 'string') writeFileAtomic(v.dpo, dpo.map((r) => JSON.stringify(r)).join('\n') + (dpo.length ? '\n' : ''));
  out(JSON.stringify(counts));
}

function numbers(value: unknown, file: string, line: number, field: string, int = false): number[] {
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'number' || !Number.isFinite(x) || (int && !Number.isInteger(x))))
    throw new JsonlError(file, line, field, value === undefined ? 'is missing' : `must be an array of ${int ? 'integers' : 'finite numbers'}`);
  return value as number[];
}

export async function logprobsCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('logprobs', argv, { input: { type: 'string' } });
  if (v.help) return out('lab logprobs --input FILE.jsonl   rows {id, vocab, logits: [T*V], targets: [T], mask: [T]} → {id, token_logps, sum, count}');
  if (typeof v.input !== 'string') throw new UsageError('lab logprobs: --input FILE.jsonl is required');
  const file = v.input;
  const rows = parseJsonl(read(file), file).map(({ line, value }) => {
    const vocab = value.vocab;
    if (typeof vocab !== 'number' || !Number.isInteger(vocab) || vocab < 1) throw new JsonlError(file, line, 'vocab', 'must be a positive integer');
    const logits = numbers(value.logits, file, line, 'logits');
    const targets = numbers(value.targets, file, line, 'targets', true);
    const mask = numbers(value.mask, file, line, 'mask', true);
    if (logits.length !== targets.length * vocab) throw new JsonlError(file, line, 'logits', `has ${logits.length} values, expected targets.length * vocab = ${targets.length * vocab}`);
    if (mask.length !== targets.length) throw new JsonlError(file, line, 'mask', `has ${mask.length} entries, expected ${targets.length}`);
    targets.forEach((t, i) => {
      if (t < 0 || t >= vocab) throw new JsonlError(file, line, `targets[${i}]`, `${t} is outside the vocabulary 0..${vocab - 1}`);
    });
    return { id: value.id ?? null, vocab, logits, targets, mask };
  });
  for (const r of rows) {
    const res = maskedLogprobs(r.logits, r.vocab, r.targets, r.mask);
    out(JSON.stringify({ id: r.id, token_logps: Array.from(res.tokenLogps), sum: res.sum, count: res.count }));
  }
}

function lossArgs(command: string, v: Record<string, string | boolean | undefined>): DpoArgs {
  const loss = (v.loss as string | undefined) ?? 'sigmoid';
  if (!['sigmoid', 'cdpo', 'robust', 'hinge', 'ipo'].includes(loss)) throw new UsageError(`lab ${command}: --loss must be sigmoid, cdpo, robust, ipo or hinge, got "${loss}"`);
  if (v.beta === undefined) throw new UsageError(`lab ${command}: --beta is required, e.g. --beta 0.1`);
  return {
    loss: loss as DpoLossType,
    beta: num(command, 'beta', v.beta, 0.1, 1e-9, 1e6, true),
    eps: num(command, 'eps', v.eps, 0, 0, 0.4999, true),
    alpha: num(command, 'alpha', v.alpha, 0, 0, 1e6, true),
    maskCommonPrefix: !!v['mask-common-prefix'],
  };
}

const LOSS_FLAGS = { loss: { type: 'string' }, beta: { type: 'string' }, eps: { type: 'string' }, alpha: { type: 'string' }, 'mask-common-prefix': { type: 'boolean' } } as const;

export async function dpoLossCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('dpo-loss', argv, { input: { type: 'string' }, ...LOSS_FLAGS });
  if (v.help) return out('lab dpo-loss --input pairs.jsonl --loss sigmoid|cdpo|robust|ipo|hinge --beta B [--eps E] [--alpha A] [--mask-common-prefix]');
  if (typeof v.input !== 'string') throw new UsageError('lab dpo-loss: --input pairs.jsonl is required');
  const args = lossArgs('dpo-loss', v);
  const file = v.input;
  const pairs = parseJsonl(read(file), file).map(({ line, value }) => {
    const k = value.common_prefix ?? 0;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new JsonlError(file, line, 'common_prefix', 'must be a non-negative integer');
    return {
      policyChosen: numbers(value.policy_chosen, file, line, 'policy_chosen'),
      policyRejected: numbers(value.policy_rejected, file, line, 'policy_rejected'),
      refChosen: numbers(value.ref_chosen, file, line, 'ref_chosen'),
      refRejected: numbers(value.ref_rejected, file, line, 'ref_rejected'),
      commonPrefix: k,
    };
  });
  out(JSON.stringify(dpoMetrics(pairs, args)));
}

export async function scoreCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('score', argv, { policy: { type: 'string' }, reference: { type: 'string' }, pairs: { type: 'string' }, ...LOSS_FLAGS });
  if (v.help) return out('lab score --policy A --reference B --pairs dpo.jsonl --loss sigmoid|cdpo|robust|ipo|hinge --beta B [--eps E] [--alpha A] [--mask-common-prefix]');
  if (typeof v.policy !== 'string' || typeof v.reference !== 'string') throw new UsageError('lab score: --policy and --reference are required, e.g. --policy tiny-a --reference tiny-b');
  if (typeof v.pairs !== 'string') throw new UsageError('lab score: --pairs dpo.jsonl is required (the output of `lab extract --dpo`)');
  const args = lossArgs('score', v);
  const rows = parseDpoRows(read(v.pairs), v.pairs);
  const policy = await loadNodeEngine(v.policy);
  const reference = v.reference === v.policy ? policy : await loadNodeEngine(v.reference);
  try {
    const pairs = [];
    for (const r of rows) {
      const messages = [{ role: 'user' as const, content: r.prompt }];
      // Both models must share a tokenizer for per-token DPO; tokenise with the policy's and score those ids.
      const ids = [await policy.tokenize(r.chosen), await policy.tokenize(r.rejected)];
      if (reference !== policy) {
        const refIds = [await reference.tokenize(r.chosen), await reference.tokenize(r.rejected)];
        if (JSON.stringify(refIds) !== JSON.stringify(ids)) throw new Error(`pair ${r.id}: policy and reference tokenize the completions differently; DPO needs one tokenizer`);
      }
      const p = await policy.score({ messages, completions: [r.chosen, r.rejected], completionIds: ids });
      const q = await reference.score({ messages, completions: [r.chosen, r.rejected], completionIds: ids });
      pairs.push({ policyChosen: p.sequences[0]!.logprobs, policyRejected: p.sequences[1]!.logprobs, refChosen: q.sequences[0]!.logprobs,
        refRejected: q.sequences[1]!.logprobs, commonPrefix: commonPrefixLength(ids) });
    }
    out(JSON.stringify({ pairs: pairs.length, ...dpoMetrics(pairs, args) }));
  } finally {
    await policy.dispose();
    if (reference !== policy) await reference.dispose();
  }
}
