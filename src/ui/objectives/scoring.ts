/**
 * Scoring DPO pairs for the Objectives view, with the semantics of `lab score` (src/cli/data.ts):
 * the prompt is the question as one user message; both completions are tokenized with the
 * policy's tokenizer and those ids are scored under policy and reference (teacher forcing,
 * `Engine.score` with `maskCommonPrefix`), so the common prefix is the same for both models.
 * Policy and reference must share a tokenizer. No DOM: runs against any Engine (a worker client
 * in the app, a scripted engine in unit tests).
 */
import type { Engine } from '../../core/engine.js';
import type { DpoPair } from '../../data/extract.js';
import type { PairScores } from '../app/session.js';
import type { ScoreEntry } from './loss-table.js';

/** PairScores tagged with the engine that produced them, so a cache is never used for the wrong model. */
export interface TaggedPairScores extends PairScores {
  model?: string;
}

/** Text that exercises the role tags, role prompts, digits, punctuation and non-ASCII. */
export const TOKENIZER_PROBE =
  '<Reclarify>To ensure clarity, let me restate the question or issue at hand: count "r" in "Strawberry".</Reclarify>' +
  '<Thinking>s, t, r(1), a, w, b, e, r(2), r(3), y. 12+30=42; Ünïcødé ß 漢字 🙂\n\t</Thinking><Answer>The answer is: \\boxed{3}</Answer>';

export type TokenizerCheck =
  | { status: 'same-model' }
  | { status: 'same' }
  | { status: 'different'; policyTokens: number; referenceTokens: number; firstDiff: number }
  | { status: 'cannot-score'; model: string }
  | { status: 'error'; message: string };

/** Can this engine score sequences (teacher forcing)? */
export function canScore(e: Engine): boolean {
  return typeof e.score === 'function' && e.info.can.score;
}

/** Whether policy and reference can be compared token by token (same tokenizer on a probe text). */
export async function checkTokenizers(policy: Engine, reference: Engine, probe = TOKENIZER_PROBE): Promise<TokenizerCheck> {
  for (const e of [policy, reference]) if (!canScore(e)) return { status: 'cannot-score', model: e.info.id };
  if (policy === reference) return { status: 'same-model' };
  try {
    const [a, b] = [await policy.tokenize(probe), await reference.tokenize(probe)];
    let k = 0;
    while (k < a.length && k < b.length && a[k] === b[k]) k++;
    if (k === a.length && k === b.length) return { status: 'same' };
    return { status: 'different', policyTokens: a.length, referenceTokens: b.length, firstDiff: k };
  } catch (e) {
    return { status: 'error', message: (e as Error).message };
  }
}

/**
 * The text of each token of `text` (tokenized as `ids`), found by tokenizing growing pieces of the
 * text: a piece that tokenizes to exactly the next id(s) is that token's text. A character spread
 * over several byte tokens goes to the first of them (the rest get ''). Learned texts are cached
 * per id. If alignment fails (a tokenizer whose pieces do not compose), the remaining tokens are
 * shown as ⟨id⟩. The fallback for engines without `detokenize` (see `labels`).
 */
export async function tokenTexts(text: string, ids: readonly number[], tokenize: (s: string) => Promise<number[]>, cache: Map<number, string> = new Map(), maxPiece = 128): Promise<string[]> {
  const out: string[] = [];
  let pos = 0;
  let i = 0;
  while (i < ids.length) {
    const id = ids[i]!;
    const known = cache.get(id);
    if (known && text.startsWith(known, pos)) {
      out.push(known);
      pos += known.length;
      i++;
      continue;
    }
    let matched = false;
    for (let len = 1; len <= Math.min(maxPiece, text.length - pos); len++) {
      const piece = text.slice(pos, pos + len);
      const toks = await tokenize(piece);
      if (toks.length === 0 || toks.length > ids.length - i || toks.some((t, j) => t !== ids[i + j])) continue;
      if (toks.length === 1) cache.set(id, piece);
      out.push(piece, ...new Array<string>(toks.length - 1).fill(''));
      pos += len;
      i += toks.length;
      matched = true;
      break;
    }
    if (!matched) {
      for (; i < ids.length; i++) out.push(`⟨${ids[i]}⟩`);
    }
  }
  return out;
}

function sameIds(a: number[][], b: number[][]): boolean {
  return a.length === b.length && a.every((x, i) => x.length === b[i]!.length && x.every((v, j) => v === b[i]![j]));
}

/**
 * Token labels for a strip: one `detokenize` call where the engine has a local tokenizer (ort),
 * otherwise aligned by `tokenize` round trips (tokenTexts).
 */
export async function labels(engine: Engine, text: string, ids: number[], textCache: Map<number, string>): Promise<string[]> {
  if (engine.info.backend === 'ort' && engine.detokenize) return (await engine.detokenize(ids)).map((p) => p.text);
  return tokenTexts(text, ids, (s) => engine.tokenize(s), textCache);
}

/**
 * Score one pair under policy and reference (one engine twice when they are the same model).
 * Throws with the pair number when the models tokenize the completions differently.
 */
export async function scorePair(pair: DpoPair, index: number, policy: Engine, reference: Engine, textCache: Map<number, string> = new Map(), signal?: AbortSignal): Promise<ScoreEntry> {
  if (!canScore(policy)) throw new Error(`model ${policy.info.id} cannot score sequences: scoring needs an ort model`);
  if (!canScore(reference)) throw new Error(`model ${reference.info.id} cannot score sequences: scoring needs an ort model`);
  const messages = [{ role: 'user' as const, content: pair.question }];
  const completions = [pair.chosen.text, pair.rejected.text];
  const ids = [await policy.tokenize(completions[0]!), await policy.tokenize(completions[1]!)];
  if (reference !== policy) {
    const refIds = [await reference.tokenize(completions[0]!), await reference.tokenize(completions[1]!)];
    if (!sameIds(ids, refIds)) throw new Error(`pair ${index + 1}: policy and reference tokenize the completions differently; DPO needs one tokenizer`);
  }
  const req = { messages, completions, completionIds: ids, maskCommonPrefix: true };
  const p = await policy.score!(req, signal);
  const q = reference === policy ? p : await reference.score!(req, signal);
  const texts = await Promise.all(ids.map((x, i) => labels(policy, completions[i]!, x, textCache)));
  const side = (s: typeof p, model: string): TaggedPairScores => ({
    chosen: { tokens: texts[0]!, logprobs: [...s.sequences[0]!.logprobs], mask: [...s.sequences[0]!.mask] },
    rejected: { tokens: texts[1]!, logprobs: [...s.sequences[1]!.logprobs], mask: [...s.sequences[1]!.mask] },
    model,
  });
  return { policy: side(p, policy.info.id), reference: side(q, reference.info.id) };
}

/** Which models a cached entry was scored with (undefined for untagged entries). */
export function scoredWith(e: ScoreEntry | undefined): { policy?: string; reference?: string } | undefined {
  if (!e) return undefined;
  return { policy: (e.policy as TaggedPairScores).model, reference: (e.reference as TaggedPairScores).model };
}

/** Is a cached entry usable for this policy / reference pair? */
export function cacheHit(e: ScoreEntry | undefined, policy: string, reference: string): boolean {
  const w = scoredWith(e);
  return !!w && w.policy === policy && w.reference === reference;
}

export interface ScoreRun {
  scored: number;
  cached: number;
  total: number;
}

/**
 * Score every pair not already cached for (policy, reference); `onPair` receives the growing map
 * after each pair so the view can publish it. Stops (rejecting with AbortError) when `signal` aborts.
 */
export async function scorePairs(
  pairs: readonly DpoPair[],
  policy: Engine,
  reference: Engine,
  cache: ReadonlyMap<number, ScoreEntry>,
  onPair: (scores: Map<number, ScoreEntry>, run: ScoreRun) => void,
  signal?: AbortSignal,
): Promise<Map<number, ScoreEntry>> {
  const out = new Map<number, ScoreEntry>();
  for (const [i, e] of cache) if (i < pairs.length && cacheHit(e, policy.info.id, reference.info.id)) out.set(i, e);
  const run: ScoreRun = { scored: 0, cached: out.size, total: pairs.length };
  const textCache = new Map<number, string>();
  for (let i = 0; i < pairs.length; i++) {
    if (out.has(i)) continue;
    if (signal?.aborted) {
      const err = new Error('scoring was stopped');
      err.name = 'AbortError';
      throw err;
    }
    out.set(i, await scorePair(pairs[i]!, i, policy, reference, textCache, signal));
    run.scored++;
    onPair(new Map(out), { ...run });
  }
  return out;
}
