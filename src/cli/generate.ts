/** `lab generate`: n samples from a model, same seed → same output. */
import { loadNodeEngine } from '../engines/ort/node.js';
import { num, parse, UsageError } from './args.js';

const HELP = `lab generate --model ID --prompt TEXT [options]
  --model ID          catalogue id (see \`lab models\`), e.g. tiny-a
  --prompt TEXT       the user message
  --prefix TEXT       partial assistant message to continue (e.g. "<Sub-Task>")
  --n N               samples, run as one batch (default 4)
  --seed S            sampler seed (default 1)
  --temperature T     0 = greedy (default 0.7)
  --top-p P           nucleus mass (default 1)
  --top-k K           keep the K most likely tokens, 0 = off (default 0)
  --max-tokens N      new tokens per sample (default 256)
  --stop STR          stop string (repeatable)
  --json              print JSON`;

export async function generateCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const v = parse('generate', argv, {
    model: { type: 'string' },
    prompt: { type: 'string' },
    prefix: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    temperature: { type: 'string' },
    'top-p': { type: 'string' },
    'top-k': { type: 'string' },
    'max-tokens': { type: 'string' },
    stop: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (v.help) return out(HELP);
  if (typeof v.model !== 'string') throw new UsageError('lab generate: --model is required, e.g. --model tiny-a (see `lab models`)');
  if (typeof v.prompt !== 'string' || v.prompt === '') throw new UsageError('lab generate: --prompt is required, e.g. --prompt "How many r\'s are in strawberry?"');
  const req = {
    messages: [{ role: 'user' as const, content: v.prompt }],
    ...(typeof v.prefix === 'string' ? { prefix: v.prefix } : {}),
    n: num('generate', 'n', v.n, 4, 1, 64),
    seed: num('generate', 'seed', v.seed, 1, 0, 2 ** 31),
    temperature: num('generate', 'temperature', v.temperature, 0.7, 0, 5, true),
    topP: num('generate', 'top-p', v['top-p'], 1, 0.01, 1, true),
    topK: num('generate', 'top-k', v['top-k'], 0, 0, 100000),
    maxTokens: num('generate', 'max-tokens', v['max-tokens'], 256, 1, 4096),
    stop: (v.stop as unknown as string[] | undefined) ?? [],
  };
  const engine = await loadNodeEngine(v.model);
  try {
    const t0 = performance.now();
    const samples = await engine.generate(req);
    const ms = performance.now() - t0;
    if (v.json) {
      out(JSON.stringify({ model: v.model, seed: req.seed, n: req.n, temperature: req.temperature, samples: samples.map((s) => ({ index: s.index,
        text: s.text, tokens: s.tokens.length, finish_reason: s.finishReason, logprob: round(s.logprobs.reduce((a,
        t) => a + t.logprob, 0)) })) }, null, 2));
    } else {
      for (const s of samples) out(`--- sample ${s.index} (${s.tokens.length} tokens, ${s.finishReason})\n${s.text}`);
      const total = samples.reduce((a, s) => a + s.tokens.length, 0);
      out(`--- ${total} tokens in ${(ms / 1000).toFixed(2)} s (${((total / ms) * 1000).toFixed(0)} tok/s, batch of ${req.n})`);
    }
  } finally {
    await engine.dispose();
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
