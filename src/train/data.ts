/**
 * SFT and DPO rows (TRL formats, as `lab extract` writes them) turned into token-id examples for
 * the trainer, with the checks a user needs before an hour of training: identical chosen and
 * rejected, rows longer than the context, data tokenised for another model.
 */
import type { ChatMessage } from '../core/engine.js';
import type { DpoRow, SftRow } from '../data/trees-io.js';
import { sharedPrefix, type DpoExample, type SftExample } from './batch.js';

/**
 * Pairs whose recorded shared-prefix token count differs from this model's: they were extracted
 * for another tokenizer. The message gives the CLI's fix; `fact` is the same without it, for the
 * page, which gives its own.
 */
export class TokenizerMismatchError extends Error {
  readonly fact: string;
  constructor(source: string, recorded: number, found: number) {
    const fact = `${source}: field "meta.common_prefix_tokens" is ${recorded} but this model's tokenizer finds ${found}: the pairs were extracted for another model`;
    super(`${fact}; re-run \`lab extract --model <this model>\``);
    this.name = 'TokenizerMismatchError';
    this.fact = fact;
  }
}

/** What the trainer needs of a tokenizer (the engine's ChatTokenizer fits). */
export interface TrainTokenizer {
  /** The chat template with the generation prompt. */
  prompt(messages: ChatMessage[]): string;
  encode(text: string): number[];
  /** Appended to SFT completions so the model learns to stop. */
  eos: number;
}

/** SFT rows as examples: prompt = template(messages before the answer), completion = answer + eos. */
export function sftExamples(rows: SftRow[], tok: TrainTokenizer, file: string, maxLength: number): SftExample[] {
  return rows.map((r) => {
    const ex: SftExample = { kind: 'sft', source: `${file}:${r.line}`, prompt: tok.encode(tok.prompt(r.messages)), completion: [...tok.encode(r.completion), tok.eos] };
    checkLength(ex.source, ex.prompt.length + ex.completion.length, maxLength);
    return ex;
  });
}

/**
 * DPO rows as examples. Completions are tokenised on their own and scored after the prompt, with no
 * eos appended, exactly as `lab score` and `OrtEngine.score` do, so their rewards agree.
 */
export function dpoExamples(rows: DpoRow[], tok: TrainTokenizer, file: string, maxLength: number): DpoExample[] {
  return rows.map((r) => {
    const source = `${file}:${r.line}`;
    if (r.chosen === r.rejected) throw new Error(`${source}: "chosen" and "rejected" are identical: such a pair teaches nothing (drop the row)`);
    const prompt = tok.encode(tok.prompt([{ role: 'user', content: r.prompt }]));
    const chosen = tok.encode(r.chosen);
    const rejected = tok.encode(r.rejected);
    if (chosen.length === 0 || rejected.length === 0) throw new Error(`${source}: field "${chosen.length === 0 ? 'chosen' : 'rejected'}" is empty`);
    const commonPrefix = sharedPrefix(chosen, rejected);
    if (r.commonPrefixTokens !== undefined && r.commonPrefixTokens !== commonPrefix) throw new TokenizerMismatchError(source, r.commonPrefixTokens, commonPrefix);
    checkLength(source, prompt.length + Math.max(chosen.length, rejected.length), maxLength);
    return { kind: 'dpo', source, prompt, chosen, rejected, commonPrefix };
  });
}

function checkLength(source: string, n: number, max: number): void {
  if (n > max) throw new Error(`${source}: ${n} tokens exceed the model's context of ${max}: shorten or drop the row`);
}
