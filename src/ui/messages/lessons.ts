/** Strings of the Lessons view: a short guided tour through the live views. */
export const lessons = {
  heading: 'Lessons',
  intro: 'Nine short steps through the lab. Each "Go" button opens the view with the settings of the step; the link in the address bar reproduces it for a student.',
  stepOf: (i: number, n: number) => `Step ${i} of ${n}`,
  current: 'you are here',
  go: (view: string) => `Go to ${view}`,
  steps: {
    load: {
      title: 'Load the tiny models',
      body: [
        'Open Models and load tiny-a (the thinking model), then tiny-b (the reflecting model). The adapter report is taken before any download; without WebGPU the lab runs the same models on the CPU with wasm.',
        'Each model lives in its own worker, so a search can use one model to think and another to reflect.',
      ],
    },
    search: {
      title: 'Grow a letters tree and replay it',
      body: [
        'In Search, run MCTS on a letters question ("how many r\'s in strawberry?"). Thinking, Sub-Task and Answer nodes grow; wrong answers trigger a Reflection written by the second model under an earlier node.',
        'Then replay the search step by step: select (UCT), expand, evaluate, back-propagate. No model yet? Load the recorded demo run: the screen is never empty.',
      ],
    },
    data: {
      title: 'Extract SFT and DPO data',
      body: [
        'In Data, turn the trees into SFT paths (highest reward, longest or shortest correct) and DPO pairs (a correct path against the incorrect path sharing the shortest common prefix).',
        'Read the length histogram: paths are bucketed short / medium / long relative to the other paths of the same question (Thoughts Length Balance), not by fixed thresholds.',
      ],
    },
    masking: {
      title: 'Why masking the shared prefix leaves DPO unchanged but not the joint loss',
      body: [
        'Chosen and rejected share their first tokens. Under one model those tokens get the same log-probs in both sequences, so they cancel in the DPO margin: plain DPO loss is the same with or without the mask.',
        'The joint objective adds α·L_SFT, the mean negative log-prob of the chosen tokens. Masking removes the prefix tokens from that mean, so the joint loss moves. The numbers below are computed live by the lab\'s loss code.',
      ],
    },
    dpo: {
      title: 'What plain DPO does (paper Table 5)',
      body: [
        'Train opens with plain DPO (sigmoid, β = 0.1) on tree pairs. Watch rewards/chosen and rewards/rejected: they drift apart, but both log-probs usually fall — the model pushes rejected down harder than it lifts chosen (likelihood displacement).',
        'The probe answers show what that does to the model: answers get longer, lose their \\boxed{} or loop. The recorded run on screen is row "+ DPO" of bench/post-training.ts; press Start to train your own.',
      ],
    },
    balance: {
      title: 'Thoughts Length Balance (paper Table 3)',
      body: [
        'The same training on pairs whose chosen path is short for its question. The paper finds short chosen paths keep the model from imitating long, formalistic thinking; compare the mean answer length and the no-answer ratio with the previous step.',
      ],
    },
    joint: {
      title: 'The joint loss holds DPO back (paper Table 6)',
      body: [
        'cDPO (label smoothing ε = 0.1) plus α·NLL of the chosen tokens. The NLL term keeps the chosen log-probs from falling, so the model keeps answering. Try α = 0, 0.5, 1, 2 and watch logps/chosen and the probe answers.',
      ],
    },
    testn: {
      title: 'Test@1 versus Test@8',
      body: [
        'In Evaluate, sample 8 answers per problem. Test@1 is the chance one sample is right; Test@8 counts a problem solved if any of 8 is. The gap is what search and post-training try to close.',
        'Watch the "no answer" ratio and the diagnostics: long, looping or over-reflecting outputs are the formalistic long thinking the paper warns about.',
      ],
    },
    runs: {
      title: 'Keep your work',
      body: ['Runs lists every search, data set and evaluation saved in this browser. Export a run as one file to share it; import it on another machine. Deleting asks first.'],
    },
  },
  masking: {
    caption: 'One pair, policy vs reference log-probs, β = 0.1, sigmoid DPO',
    alpha: 'α (SFT weight)',
    metric: 'Metric',
    plain: 'No mask',
    masked: 'Prefix masked',
    changed: 'Changed?',
    yes: 'changed',
    no: 'same',
    tokensCaption: 'Per-token log-probs (the first 3 completion tokens are the shared prefix)',
    sequence: 'Sequence',
    prefix: 'prefix',
    rows: {
      dpo_loss: 'DPO loss',
      nll_loss: 'SFT (NLL) loss',
      loss: 'Joint loss L = L_DPO + α·L_SFT',
      'rewards/chosen': 'reward of chosen',
      'rewards/rejected': 'reward of rejected',
      'rewards/margins': 'reward margin',
    } as Record<string, string>,
    seqNames: { policyChosen: 'policy, chosen', refChosen: 'reference, chosen', policyRejected: 'policy, rejected', refRejected: 'reference, rejected' } as Record<string, string>,
  },
};
