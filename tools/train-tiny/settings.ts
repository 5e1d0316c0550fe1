/** Fixed seeds and the two embedded models; shared by the corpus builder and the evaluator. */
export const TRAIN_SEED = 1;
/** Held-out problems: generateProblems(family, n, HELDOUT_SEED). Never trained on. */
export const HELDOUT_SEED = 777;
export const MODELS = [
  { id: 'tiny-a', style: 'qwen2' as const },
  { id: 'tiny-b', style: 'llama' as const },
];
