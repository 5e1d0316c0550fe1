/**
 * The `lab` command. Each subcommand prints human-readable output, or JSON with --json.
 * Errors are one line on stderr naming the problem and the fix; the exit code is non-zero.
 */
import { catalogue } from '../core/catalogue.js';
import { parse, UsageError } from './args.js';
import { generateCommand } from './generate.js';
import { dpoLossCommand, extractCommand, logprobsCommand, scoreCommand } from './data.js';
import { evalCommand } from './eval.js';
import { mctsCommand } from './mcts.js';
import { serveCommand } from './serve.js';
import { verifyCommand } from './verify.js';
import { useJaxThreads, threadsFlag } from './jax-threads.js';
import { listCheckpoints, unpackTarModels } from './checkpoints.js';

const HELP = `lab — Reasoning Lab command line

  lab models [--json]                      the model catalogue (embedded models first)
  lab generate --model ID --prompt TEXT    sample from a model
        [--n 4] [--seed 1] [--temperature 0.7] [--top-p 1] [--top-k 0]
        [--max-tokens 256] [--prefix TEXT] [--stop STR] [--json]
  lab mcts --task NAME --count K --seed S --model A [--reflect-model B]
        [--pattern NAME|FILE] [--rollouts 16] [--c 1.4] [--max-depth 8] [--out trees.jsonl]
  lab eval --task NAME (--count K --seed S | --input FILE.jsonl) --model A[,B]
        [--n 8] [--k 1,8] [--decode sample|mcts] [--out eval.json] [--csv]
  lab verify --task NAME --input FILE.jsonl [--response-field response]
  lab extract --trees trees.jsonl [--sft sft.jsonl] [--dpo dpo.jsonl] [--length short|medium|long|all]
        [--select reward|perplexity] [--recipe paper]
  lab logprobs --input FILE.jsonl          masked sequence log-probs (CPU reference)
  lab dpo-loss --input pairs.jsonl --loss sigmoid|cdpo|robust|ipo|hinge --beta B [--eps E] [--alpha A] [--mask-common-prefix]
  lab score --policy A --reference B --pairs dpo.jsonl --loss ... --beta B   the same metrics from the models
  lab train --model tiny-a (--sft sft.jsonl | --dpo dpo.jsonl) --out checkpoints/NAME
        [--loss sigmoid|cdpo|ipo|robust|hinge] [--beta 0.1] [--eps 0.1] [--alpha 1] [--mask-common-prefix]
        [--lr 5e-5] [--steps N | --epochs E] [--batch 8] [--seed 1] [--eval-every K] [--resume]
  lab serve --model ID [--port 8000] [--host 127.0.0.1]   OpenAI-compatible HTTP server (/v1/models, /v1/chat/completions, /v1/completions)

Every --model (and --policy/--reference) also takes a checkpoint folder, e.g. checkpoints/NAME, or a
checkpoint exported from the Train view (NAME.tar, unpacked next to itself on first use).
Run \`lab COMMAND --help\` for details.`;

type Command = (argv: string[], out: (s: string) => void) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  models: async (argv, out) => {
    const v = parse('models', argv, { json: { type: 'boolean' } });
    if (v.help) return out('lab models [--json]: list the model catalogue, embedded models first, then the checkpoints under checkpoints/');
    const rows = catalogue();
    const ckpts = listCheckpoints();
    if (v.json) return out(JSON.stringify(v.json && ckpts.length ? [...rows, ...ckpts.map((c) => ({ id: c.path, backend: 'ort', checkpoint: c.meta }))] : rows, null, 2));
    out('id                                   backend  embedded  params     notes');
    for (const m of rows) out(`${m.id.padEnd(36)} ${m.backend.padEnd(8)} ${(m.embedded ? 'yes' : 'no').padEnd(9)} ${formatParams(m.params).padEnd(10)} ${m.notes}`);
    for (const c of ckpts) {
      const s = c.meta.settings as { objective?: string; dpo?: { loss?: string } };
      out(`${c.path.padEnd(36)} ort      checkpoint            ${s.objective === 'sft' ? 'SFT' : `DPO (${s.dpo?.loss ?? '?'})`} of ${c.meta.base}, step ${c.meta.step}/${c.meta.steps}`);
    }
  },
  generate: generateCommand,
  mcts: mctsCommand,
  eval: evalCommand,
  verify: verifyCommand,
  extract: extractCommand,
  logprobs: logprobsCommand,
  'dpo-loss': dpoLossCommand,
  score: scoreCommand,
  serve: serveCommand,
  // Loaded on demand: jax-js fixes its wasm worker pool when it is first imported (see jax-threads.ts).
  train: async (argv: string[], out: (s: string) => void) => {
    useJaxThreads(threadsFlag('train', argv));
    return (await import('./train.js')).trainCommand(argv, out);
  },
};

function formatParams(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : String(n);
}

/** Entry point; returns the exit code. */
export async function main(argv: string[], out: (s: string) => void = (s) => console.log(s), err: (s: string) => void = (s) => console.error(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    out(HELP);
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    err(`lab: unknown command "${cmd}": choose one of ${Object.keys(COMMANDS).join(', ')} (see \`lab --help\`)`);
    return 2;
  }
  try {
    await run(unpackTarModels(rest), out);
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    err(e instanceof UsageError ? msg : `lab ${cmd}: ${msg}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
