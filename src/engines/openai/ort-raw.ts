/**
 * Raw-prompt generation and prompt scoring on the ort engine, for `lab serve`'s /v1/completions:
 * there the client has already applied the chat template, so the prompt is text (or token ids),
 * not chat messages. Generation is the engine's own loop (`generateIds`); prompt scoring is one
 * forward pass over the whole sequence.
 */
import { abortError, type Completion, type GenerateRequest, type TokenAlternative } from '../../core/engine.js';
import { logSoftmax, topK } from '../../core/sampling.js';
import type { OrtEngine } from '../ort/engine.js';

/** A generation request without chat messages: sampling settings only. */
export type RawGenerateRequest = Omit<GenerateRequest, 'messages' | 'prefix'>;

/** n samples continuing `promptIds` exactly (no chat template): `OrtEngine.generateIds`. */
export function generateFromIds(engine: OrtEngine, promptIds: number[], request: RawGenerateRequest, signal?: AbortSignal): Promise<Completion[]> {
  return engine.generateIds(promptIds, request, signal);
}

/** Teacher-forced log-prob of one prompt token, with its rank and the top alternatives. */
export interface PromptTokenLogprob {
  id: number;
  token: string;
  /** log p(token_t | tokens_<t); null for the first token (nothing conditions it). */
  logprob: number | null;
  /** 1 + the number of tokens more likely than this one; null for the first token. */
  rank: number | null;
  top: TokenAlternative[];
}

/**
 * Log-probs of every token of `ids` given the tokens before it: one forward pass over the whole
 * sequence (the scoring path behind `echo: true` and `prompt_logprobs`). `k` alternatives per token.
 */
export async function promptLogprobs(engine: OrtEngine, ids: number[], k: number, signal?: AbortSignal): Promise<PromptTokenLogprob[]> {
  if (ids.length === 0) return [];
  const { runner, tokenizer } = engine;
  const res = await runner.forward([ids], runner.emptyPast(1));
  runner.release(res.present);
  if (signal?.aborted) throw abortError();
  return ids.map((id, t) => {
    const token = tokenizer.tokenText(id);
    if (t === 0) return { id, token, logprob: null, rank: null, top: [] };
    const lp = logSoftmax(runner.logitsAt(res, 0, t - 1));
    const mine = lp[id]!;
    let rank = 1;
    for (let v = 0; v < lp.length; v++) if (lp[v]! > mine) rank++;
    const top = k > 0 ? topK(lp, k).map((a) => ({ id: a, token: tokenizer.tokenText(a), logprob: lp[a]! })) : [];
    return { id, token, logprob: mine, rank, top };
  });
}

export { firstStop } from '../ort/engine.js';
