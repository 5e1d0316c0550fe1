/** Strings of the app shell and the Models view. */
export const shell = {
  title: 'Reasoning Lab',
  tagline: 'small-model reasoning, in your browser',
  views: { models: 'Models', search: 'Search', data: 'Data', objectives: 'Objectives', train: 'Train', evaluate: 'Evaluate', lessons: 'Lessons', runs: 'Runs' },
  viewsNav: 'Views',
  copyLink: 'Copy lesson link',
  resumeFailed: (why: string) => `The last saved search could not be opened, so the recorded demo is shown instead (delete or re-import that run in the Runs view): ${why}`,
  linkCopied: 'Lesson link copied.',
  noWebGpu: (reason: string) => `No WebGPU here (${reason}). Running on the CPU with wasm: slower, same results.`,
  wasmSelected: 'wasm device selected: running on the CPU.',
};
