/**
 * Training examples as token ids, and their packing into right-padded micro-batches. Tokenising
 * is the caller's (it needs the model's tokenizer, which lives in engines/); here everything is ids.
 *
 * A sequence is prompt ++ completion. Completion token j is scored from the logits at position
 * promptLength + j - 1, exactly as `OrtEngine.score` does, so the trainer's log-probs and the
 * engine's agree.
 */

/** One SFT example: the chat prompt (with generation prompt) and the assistant tokens. */
export interface SftExample {
  kind: 'sft';
  /** Where the example came from (file:line), for error messages. */
  source: string;
  prompt: number[];
  completion: number[];
}

/** One DPO pair. `commonPrefix`: leading completion tokens shared by chosen and rejected. */
export interface DpoExample {
  kind: 'dpo';
  source: string;
  prompt: number[];
  chosen: number[];
  rejected: number[];
  commonPrefix: number;
  /** Per-token log-probs of chosen/rejected under the frozen reference (filled once, cached). */
  refChosen?: Float32Array;
  refRejected?: Float32Array;
}

export type Example = SftExample | DpoExample;

/** Number of leading tokens two sequences share. */
export function sharedPrefix(a: number[], b: number[]): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

/** Rows of one micro-batch: ids and the scored completion range of each row. */
export interface PackedRows {
  /** [N, T] token ids, right-padded with `pad`. */
  ids: Int32Array;
  /** [N, T] next-token targets: targets[t] = ids[t + 1] (pad at the end). */
  targets: Int32Array;
  /** [N, T] 1 where targets[t] is a completion token (after the masked prefix, if any). */
  mask: Float32Array;
  N: number;
  T: number;
  /** Per row: the scored completion tokens' first target column and count (before masking). */
  rows: { start: number; count: number; skip: number }[];
}

/** Round a length up so jit sees few distinct shapes (each new shape compiles once). */
export function bucketLength(n: number, multiple = 32): number {
  return Math.max(multiple, Math.ceil(n / multiple) * multiple);
}

/**
 * Pack sequences (prompt ++ completion) into [N, T]. `skip[i]` leading completion tokens of row i
 * are left out of the mask (prefix masking). Throws when a row is longer than `maxLength`.
 */
export function packRows(seqs: { prompt: number[]; completion: number[]; skip: number; source: string }[], pad: number, maxLength: number, fixedT = 0): PackedRows {
  const lengths = seqs.map((s) => s.prompt.length + s.completion.length);
  seqs.forEach((s, i) => {
    if (lengths[i]! > maxLength) throw new RangeError(`${s.source}: ${lengths[i]} tokens (prompt ${s.prompt.length} + completion ${s.completion.length}) exceed the model's context of ${maxLength}: drop or shorten that row`);
    if (s.completion.length === 0) throw new RangeError(`${s.source}: the completion is empty`);
  });
  const N = seqs.length;
  const T = fixedT > 0 ? fixedT : Math.min(bucketLength(Math.max(...lengths)), Math.max(maxLength, ...lengths));
  if (Math.max(...lengths) > T) throw new RangeError(`packRows: a row of ${Math.max(...lengths)} tokens does not fit the fixed length ${T}`);
  const ids = new Int32Array(N * T).fill(pad);
  const targets = new Int32Array(N * T).fill(pad);
  const mask = new Float32Array(N * T);
  const rows = seqs.map((s, i) => {
    const seq = [...s.prompt, ...s.completion];
    ids.set(seq, i * T);
    targets.set(seq.slice(1), i * T);
    const start = s.prompt.length - 1;
    for (let j = s.skip; j < s.completion.length; j++) mask[i * T + start + j] = 1;
    return { start, count: s.completion.length, skip: s.skip };
  });
  return { ids, targets, mask, N, T, rows };
}

/** Split `items` into chunks of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Attention-score elements (rows x heads x T^2) one forward pass may hold: bounds peak memory. */
export const ATTENTION_BUDGET = 8 * 1024 * 1024;

/**
 * Micro-batches of at most `size` examples whose padded attention stays within `budget`
 * (`rowsPerExample` rows each: 2 for DPO pairs). Long rows get smaller micro-batches, so a step
 * never needs more than a few hundred MB; wasm memory is capped at 4 GiB. Deterministic.
 */
export function microBatches<T extends Example>(items: T[], size: number, heads: number, rowsPerExample: number, budget = ATTENTION_BUDGET): T[][] {
  const len = (e: Example) => e.prompt.length + (e.kind === 'sft' ? e.completion.length : Math.max(e.chosen.length, e.rejected.length));
  const out: T[][] = [];
  let cur: T[] = [];
  let maxLen = 0;
  for (const e of items) {
    const T = bucketLength(Math.max(maxLen, len(e)));
    if (cur.length > 0 && (cur.length >= size || (cur.length + 1) * rowsPerExample * heads * T * T > budget)) {
      out.push(cur);
      cur = [];
      maxLen = 0;
    }
    cur.push(e);
    maxLen = Math.max(maxLen, len(e));
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A row that scores nothing: fills a micro-batch up to its fixed shape. */
export function paddingRow(pad: number): { prompt: number[]; completion: number[]; skip: number; source: string } {
  return { prompt: [pad], completion: [pad], skip: 1, source: 'padding' };
}

/**
 * The one micro-batch shape of a run: every step packs `examples` examples (padding rows fill the
 * last one) to length `T`. jax-js's wasm allocator reuses a freed buffer only for the same size,
 * so shapes that vary from step to step grow memory until the 4 GiB wasm limit (measured: 2.4 GB
 * after 5 steps of varying lengths); one fixed shape keeps it flat.
 */
export function fixedShape(all: Example[], microBatch: number, heads: number, maxLength: number, budget = ATTENTION_BUDGET): { T: number; examples: number } {
  const len = (e: Example) => e.prompt.length + (e.kind === 'sft' ? e.completion.length : Math.max(e.chosen.length, e.rejected.length));
  const T = Math.min(maxLength, bucketLength(Math.max(1, ...all.map(len)), 64));
  const rows = all[0]?.kind === 'dpo' ? 2 : 1;
  return { T, examples: Math.max(1, Math.min(microBatch, Math.floor(budget / (rows * heads * T * T)))) };
}
