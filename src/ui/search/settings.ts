/**
 * The Search view's settings and their lesson-link keys. Every setting lives in the URL hash
 * (`#view=search&task=letters&problem=2&pattern=random&c=1.4&rollouts=8&seed=1&think=tiny-a`),
 * bad values fall back to defaults, and `toSpec` turns the settings into the search worker's spec.
 */
import type { SearchSpec } from '../../mcts/search-spec.js';
import { BUILTIN_PATTERNS, type ReasoningPattern } from '../../mcts/patterns.js';
import { decodePattern, encodePattern } from '../../mcts/pattern-code.js';
import { FAMILIES, type FamilyName } from '../../tasks/index.js';
import type { Problem } from '../../tasks/types.js';
import { numParam, type HashParams } from '../app/lesson-link.js';

export interface SearchSettings {
  /** Task family (`task`). */
  task: FamilyName;
  /** Generated problem index (`problem`) of the problem set from seed `problemset`. */
  problem: number;
  problemset: number;
  /** Use the custom prompt instead of a generated problem (in links: a non-empty `prompt`). */
  custom: boolean;
  /** Custom prompt (`prompt`). */
  prompt: string;
  /** Expected answer of the custom prompt (`expected`); empty = blind search (confidence reward). */
  expected: string;
  /** Row `problem` of an imported dataset instead (in links: a non-empty `ds`). */
  useDataset: boolean;
  /** The dataset's file or hub name (`ds`) and family (`dsfamily`); the data never goes in links. */
  dataset: string;
  datasetFamily: string;
  /** Built-in pattern name, "random", or "custom" = `customPattern` (`pattern`). */
  pattern: string;
  /** The pattern editor's last valid pattern (`pat`, `patname`, `patdesc`; see mcts/pattern-code.ts). */
  customPattern: ReasoningPattern | null;
  c: number;
  rollouts: number;
  /** Total token budget (`tokens`), 0 = none. */
  tokens: number;
  /** Time budget in seconds (`time`), 0 = none. */
  time: number;
  /** Max tokens per node (`nodetokens`). */
  nodeTokens: number;
  seed: number;
  /** Model ids (`think`, `reflect`); empty reflect = the think model reflects too. */
  think: string;
  reflect: string;
}

export const DEFAULT_SETTINGS: SearchSettings = {
  task: 'letters',
  problem: 0,
  problemset: 0,
  custom: false,
  prompt: '',
  expected: '',
  useDataset: false,
  dataset: '',
  datasetFamily: 'gsm8k',
  pattern: 'random',
  customPattern: null,
  c: 1.4,
  rollouts: 8,
  tokens: 0,
  time: 0,
  nodeTokens: 160,
  seed: 1,
  think: '',
  reflect: '',
};

export const PATTERN_NAMES: readonly string[] = ['random', ...BUILTIN_PATTERNS.map((p) => p.name)];

/** The `pattern` value that selects the custom pattern. */
export const CUSTOM_PATTERN = 'custom';

/** The custom pattern of a link, or null when it has none or it does not decode (bad links fall back). */
function readCustom(p: HashParams): ReasoningPattern | null {
  if (!p.pat) return null;
  try {
    return decodePattern(p);
  } catch {
    return null;
  }
}

/** Settings from hash params; unknown names and bad numbers fall back to the defaults. */
export function readSettings(p: HashParams): SearchSettings {
  const d = DEFAULT_SETTINGS;
  const task = (p.task && p.task in FAMILIES ? p.task : d.task) as FamilyName;
  const int = (key: string, dflt: number, min: number, max: number) => Math.round(numParam(p, key, dflt, min, max));
  const customPattern = readCustom(p);
  return {
    task,
    problem: int('problem', d.problem, 0, 1_000_000),
    problemset: int('problemset', d.problemset, 0, 2 ** 31),
    custom: !!p.prompt && !p.ds,
    prompt: p.prompt ?? '',
    expected: p.expected ?? '',
    useDataset: !!p.ds,
    dataset: p.ds ?? '',
    datasetFamily: p.dsfamily || d.datasetFamily,
    pattern: p.pattern && (PATTERN_NAMES.includes(p.pattern) || (p.pattern === CUSTOM_PATTERN && customPattern)) ? p.pattern : d.pattern,
    customPattern,
    c: numParam(p, 'c', d.c, 0, 100),
    rollouts: int('rollouts', d.rollouts, 1, 10_000),
    tokens: int('tokens', d.tokens, 0, 1e9),
    time: numParam(p, 'time', d.time, 0, 86_400),
    nodeTokens: int('nodetokens', d.nodeTokens, 1, 1024),
    seed: int('seed', d.seed, 0, 2 ** 31),
    think: p.think ?? '',
    reflect: p.reflect ?? '',
  };
}

/** The hash patch for settings (defaults and empty strings are dropped to keep links short). */
export function settingsToHash(s: SearchSettings): Record<string, string | number | undefined> {
  const d = DEFAULT_SETTINGS;
  const keep = <T>(v: T, dflt: T) => (v === dflt || v === '' ? undefined : (v as string | number));
  const ds = s.useDataset && !!s.dataset;
  const custom = s.custom && !ds;
  return {
    task: s.task,
    problem: custom ? undefined : s.problem,
    problemset: custom || ds ? undefined : keep(s.problemset, d.problemset),
    prompt: custom ? keep(s.prompt, '') : undefined,
    expected: custom ? keep(s.expected, '') : undefined,
    ds: ds ? s.dataset : undefined,
    dsfamily: ds ? s.datasetFamily : undefined,
    pattern: s.pattern,
    // Kept while a built-in is chosen, so switching back to "custom" finds it.
    ...(s.customPattern ? { patdesc: undefined, ...encodePattern(s.customPattern) } : { pat: undefined, patname: undefined, patdesc: undefined }),
    c: s.c,
    rollouts: s.rollouts,
    tokens: keep(s.tokens, 0),
    time: keep(s.time, 0),
    nodetokens: keep(s.nodeTokens, d.nodeTokens),
    seed: s.seed,
    think: keep(s.think, ''),
    reflect: keep(s.reflect, ''),
  };
}

/** The serialisable spec the search worker runs; a dataset search passes its row (already loaded). */
export function toSpec(s: SearchSettings, row?: Problem): SearchSpec {
  return {
    problem: s.useDataset && row
      ? { family: s.datasetFamily, dataset: s.dataset, row }
      : s.custom ? { family: s.task, prompt: s.prompt, answer: s.expected } : { family: s.task, setSeed: s.problemset, index: s.problem },
    pattern: s.pattern === CUSTOM_PATTERN && s.customPattern ? s.customPattern.name : s.pattern,
    ...(s.pattern === CUSTOM_PATTERN && s.customPattern ? { customPattern: s.customPattern } : {}),
    c: s.c,
    rollouts: s.rollouts,
    seed: s.seed,
    tokenBudget: s.tokens,
    timeBudgetMs: Math.round(s.time * 1000),
    maxNodeTokens: s.nodeTokens,
  };
}
