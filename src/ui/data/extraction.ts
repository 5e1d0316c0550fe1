/**
 * The Data view's computation, mirroring `lab extract` (src/cli/data.ts): settings (read from and
 * written to the lesson hash), SFT / DPO extraction per tree, counts, and JSONL export. Pure, except
 * `extractByPerplexity`, which scores paths with an engine exactly as the CLI's `--select perplexity`.
 */
import type { Engine } from '../../core/engine.js';
import { dpoRecord, selectByPerplexity, selectDpo, selectSft, sftRecord, treePaths, withTokenPrefix, type DpoPair, type LengthBucket, type SftSelect, type TreePath } from '../../data/extract.js';
import type { Tree } from '../../mcts/tree.js';
import { numParam, type HashParams } from '../app/lesson-link.js';

export type LengthFilter = 'all' | LengthBucket;
export type DpoSelect = 'reward' | 'perplexity';
export type Recipe = 'custom' | 'paper';

export interface DataSettings {
  /** `--sft-select`. */
  sft: SftSelect;
  /** `--length`: the bucket(s) SFT paths and DPO chosen paths come from. */
  length: LengthFilter;
  /** `--recipe paper`: SFT = longest of the long bucket, DPO chosen from the short bucket. */
  recipe: Recipe;
  /** `--select`. */
  select: DpoSelect;
  /** `--model`: engine id used for perplexity and to count common-prefix tokens ('' = none). */
  model: string;
  /** Histogram: target number of bins (0 = automatic). */
  bins: number;
  /** Histogram: only correct paths (those the buckets are defined on). */
  correctOnly: boolean;
  /** Pair shown in the pair browser (0-based). */
  pair: number;
}

export const DEFAULT_DATA_SETTINGS: DataSettings = { sft: 'reward', length: 'all', recipe: 'custom', select: 'reward', model: '', bins: 0, correctOnly: false, pair: 0 };

const SFT_SELECTS: readonly SftSelect[] = ['reward', 'longest', 'shortest', 'all'];
const LENGTHS: readonly LengthFilter[] = ['all', 'short', 'medium', 'long'];

function oneOf<T extends string>(v: string | undefined, allowed: readonly T[], dflt: T): T {
  return v !== undefined && (allowed as readonly string[]).includes(v) ? (v as T) : dflt;
}

/** Settings from the lesson hash (keys `dsft dlen drecipe dsel dmodel dbins dcorrect dpair`); bad values fall back. */
export function dataSettingsFromHash(p: HashParams): DataSettings {
  const d = DEFAULT_DATA_SETTINGS;
  return {
    sft: oneOf(p.dsft, SFT_SELECTS, d.sft),
    length: oneOf(p.dlen, LENGTHS, d.length),
    recipe: oneOf(p.drecipe, ['custom', 'paper'] as const, d.recipe),
    select: oneOf(p.dsel, ['reward', 'perplexity'] as const, d.select),
    model: p.dmodel ?? d.model,
    bins: Math.round(numParam(p, 'dbins', d.bins, 0, 100)),
    correctOnly: p.dcorrect === '1',
    pair: Math.round(numParam(p, 'dpair', d.pair, 0, 1e6)),
  };
}

/** Hash patch for the settings; defaults are removed so links stay short. */
export function dataSettingsToHash(s: DataSettings): Record<string, string | undefined> {
  const d = DEFAULT_DATA_SETTINGS;
  const v = <T>(x: T, dflt: T) => (x === dflt ? undefined : String(x));
  return {
    dsft: v(s.sft, d.sft),
    dlen: v(s.length, d.length),
    drecipe: v(s.recipe, d.recipe),
    dsel: v(s.select, d.select),
    dmodel: s.model || undefined,
    dbins: v(s.bins, d.bins),
    dcorrect: s.correctOnly ? '1' : undefined,
    dpair: v(s.pair, d.pair),
  };
}

export interface EffectiveRecipe {
  sftSelect: SftSelect;
  sftBuckets: LengthBucket[] | undefined;
  dpoBuckets: LengthBucket[] | undefined;
}

/** The CLI's flag resolution: `--recipe paper` overrides `--sft-select` and `--length`. */
export function effectiveRecipe(s: Pick<DataSettings, 'sft' | 'length' | 'recipe'>): EffectiveRecipe {
  if (s.recipe === 'paper') return { sftSelect: 'longest', sftBuckets: ['long'], dpoBuckets: ['short'] };
  const buckets = s.length === 'all' ? undefined : [s.length];
  return { sftSelect: s.sft, sftBuckets: buckets, dpoBuckets: buckets };
}

export interface ExtractCounts {
  trees: number;
  paths: number;
  correct: number;
  incorrect: number;
  /** Correct paths per bucket (as `lab extract` reports). */
  buckets: Record<LengthBucket, number>;
  sft: number;
  dpo: number;
}

export interface Extraction {
  paths: TreePath[];
  sft: TreePath[];
  pairs: DpoPair[];
  counts: ExtractCounts;
  /** One message per tree that could not be read ("tree <id>: why"); the other trees still count. */
  errors: string[];
}

function treeLabel(t: Tree, i: number): string {
  return typeof t?.id === 'string' && t.id ? t.id : `#${i + 1}`;
}

/** Paths of every tree; a malformed tree becomes an error message instead of a crash. */
export function allPaths(trees: readonly Tree[]): { perTree: TreePath[][]; errors: string[] } {
  const perTree: TreePath[][] = [];
  const errors: string[] = [];
  trees.forEach((t, i) => {
    try {
      perTree.push(treePaths(t));
    } catch (e) {
      perTree.push([]);
      errors.push(`tree ${treeLabel(t, i)}: ${(e as Error).message}`);
    }
  });
  return { perTree, errors };
}

function countsOf(trees: number, perTree: TreePath[][], sft: number, dpo: number): ExtractCounts {
  const paths = perTree.flat();
  const buckets = { short: 0, medium: 0, long: 0 };
  for (const p of paths) if (p.correct) buckets[p.bucket]++;
  const correct = paths.filter((p) => p.correct).length;
  return { trees, paths: paths.length, correct, incorrect: paths.length - correct, buckets, sft, dpo };
}

function sftOf(perTree: TreePath[][], r: EffectiveRecipe): TreePath[] {
  return perTree.flatMap((paths) => selectSft(paths, r.sftSelect, r.sftBuckets));
}

/** SFT paths and reward-selected DPO pairs (`lab extract --select reward`). */
export function extract(trees: readonly Tree[], s: Pick<DataSettings, 'sft' | 'length' | 'recipe'>): Extraction {
  const r = effectiveRecipe(s);
  const { perTree, errors } = allPaths(trees);
  const sft = sftOf(perTree, r);
  const pairs = perTree.flatMap((paths) => selectDpo(paths, r.dpoBuckets));
  return { paths: perTree.flat(), sft, pairs, counts: countsOf(trees.length, perTree, sft.length, pairs.length), errors };
}

/** As `extract`, but DPO pairs by perplexity under `engine` (`lab extract --select perplexity`). */
export async function extractByPerplexity(trees: readonly Tree[], s: Pick<DataSettings, 'sft' | 'length' | 'recipe'>, engine: Engine, isCancelled: () => boolean = () => false): Promise<Extraction> {
  const r = effectiveRecipe(s);
  const { perTree, errors } = allPaths(trees);
  const sft = sftOf(perTree, r);
  const pairs: DpoPair[] = [];
  for (let i = 0; i < perTree.length && !isCancelled(); i++) {
    try {
      pairs.push(...(await selectByPerplexity(perTree[i]!, engine, r.dpoBuckets)));
    } catch (e) {
      errors.push(`tree ${treeLabel(trees[i]!, i)}: ${(e as Error).message}`);
    }
  }
  return { paths: perTree.flat(), sft, pairs, counts: countsOf(trees.length, perTree, sft.length, pairs.length), errors };
}

/** Fill `commonPrefixTokens` with an engine's tokenizer (as `lab extract --model`). */
export function countPrefixTokens(pairs: DpoPair[], engine: Pick<Engine, 'tokenize'>): Promise<DpoPair[]> {
  return withTokenPrefix(pairs, (text) => engine.tokenize(text));
}

function jsonl(records: Record<string, unknown>[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
}

/** SFT chat-messages JSONL, byte for byte what `lab extract --sft` writes. */
export function sftJsonl(paths: readonly TreePath[]): string {
  return jsonl(paths.map(sftRecord));
}

/** TRL prompt / chosen / rejected JSONL with meta, byte for byte what `lab extract --dpo` writes. */
export function dpoJsonl(pairs: readonly DpoPair[]): string {
  return jsonl(pairs.map(dpoRecord));
}
