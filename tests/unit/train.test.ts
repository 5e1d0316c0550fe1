/**
 * The trainer on the real shipped models: its forward pass equals onnxruntime's, its gradients
 * equal finite differences, DPO starts at ln 2 and learns, runs are reproducible, checkpoints load
 * in OrtEngine with the trainer's logits, and masking touches only the joint loss's gradient.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCheckpointDir } from '../../src/cli/checkpoints.js';
import { loadNodeEngine } from '../../src/engines/ort/node.js';
import { CHECKPOINT_SCHEMA, checkpointFiles } from '../../src/train/checkpoint.js';
import { isLinear, type Params } from '../../src/train/model.js';
import { buildBatch, makeLoss } from '../../src/train/objective.js';
import { runTraining } from '../../src/train/run.js';
import { decodeSafetensors } from '../../src/train/safetensors.js';
import { JaxTrainer, NonFiniteLossError, prepareReference, type StepMetrics, type TrainSettings } from '../../src/train/trainer.js';
import { jaxWasm, maxDiff, model, pairs, settings } from './train-fixtures.js';

beforeAll(jaxWasm);

describe.each(['tiny-a', 'tiny-b'])('%s: trainer forward = onnxruntime', (id) => {
  it('gives the ORT logits (1e-4) for one row and for right-padded rows of different lengths', async () => {
    const m = model(id);
    const ort = await loadNodeEngine(id);
    // A row of a few hundred tokens, as training rows are.
    const long = m.tok.encode(m.tok.prompt([{ role: 'user', content: 'Count the letters of strawberry, raspberry and blueberry, one at a time, then add them up.' }]) + '<Thinking>s,t,r,a,w,b,e,r,r,y; r,a,s,p,b,e,r,r,y; b,l,u,e,b,e,r,r,y</Thinking>');
    expect(long.length).toBeGreaterThan(128);
    const rows = [m.tok.encode(m.tok.prompt([{ role: 'user', content: 'How many r in strawberry?' }])), m.tok.encode('<Thinking>s,t,r(1),a,w</Thinking>'), m.tok.encode('Hi'), long];
    const tr = new JaxTrainer(m.cfg, m.weights, settings(), m.tok.padId);
    const V = m.cfg.vocab;
    const single = await tr.forward([rows[0]!]);
    const ref0 = (await ort.runner.forward([rows[0]!], ort.runner.emptyPast(1))).logits;
    expect(single.length).toBe(ref0.length);
    expect(maxDiff(single, ref0)).toBeLessThan(1e-4);
    const T = Math.max(...rows.map((r) => r.length));
    const padded = await tr.forward(rows);
    for (const [b, r] of rows.entries()) {
      const ref = (await ort.runner.forward([r], ort.runner.emptyPast(1))).logits;
      expect(maxDiff(padded.subarray(b * T * V, (b * T + r.length) * V), ref)).toBeLessThan(1e-4);
    }
    tr.dispose();
    await ort.dispose();
  });
});

/** Loss and gradient of one DPO batch in float64, through the trainer's own loss and batch code. */
function lossAndGrad(m: ReturnType<typeof model>, params: Params, ex: ReturnType<typeof pairs>, s: TrainSettings) {
  const nllTokens = ex.reduce((a, e) => a + e.chosen.length - (s.dpo.maskCommonPrefix ? e.commonPrefix : 0), 0);
  const { batch } = buildBatch(m.cfg, s, ex, { pairs: ex.length, nllTokens, nllWeight: s.dpo.alpha }, m.tok.padId, np.float64);
  const [[loss, lp], grads] = valueAndGrad(makeLoss(m.cfg, 'dpo', s.dpo), { hasAux: true })(tree.ref(params), batch) as unknown as [[np.Array, np.Array], Params];
  lp.dispose();
  return { loss: (loss.dataSync() as Float64Array)[0]!, grads };
}

// float64 arrays come from float32 through astype: jax-js 0.1.25 cannot take a Float64Array on Node 20.
function params64(m: ReturnType<typeof model>): Params {
  const p: Params = {};
  for (const [n, t] of m.weights) {
    const a = np.array(t.data).astype(np.float64).reshape(t.shape);
    p[n] = isLinear(n) ? a.transpose([1, 0]) : a;
  }
  return p;
}

describe('trainer gradients and objectives (tiny-a)', () => {
  it('autodiff gradients match central finite differences (float64, 1e-3 relative)', async () => {
    const m = model('tiny-a');
    const ex = pairs(m).slice(0, 2);
    const ref = new JaxTrainer(m.cfg, m.weights, settings(), m.tok.padId);
    await prepareReference(ref, ex);
    ref.dispose();
    // Shift the reference so the loss is not at its symmetric point, and include the NLL term.
    for (const e of ex) e.refChosen = e.refChosen!.map((x) => x + 0.5);
    const s = settings({}, { loss: 'sigmoid', beta: 0.5, alpha: 1 });
    const params = params64(m);
    const { grads } = lossAndGrad(m, params, ex, s);
    // In each probed tensor, the entry with the largest gradient: big enough to stand out of the
    // rounding noise of the finite difference.
    const names = ['model.layers.0.self_attn.q_proj.weight', 'model.layers.1.self_attn.k_proj.bias', 'model.layers.2.mlp.down_proj.weight', 'model.layers.3.post_attention_layernorm.weight', 'model.embed_tokens.weight', 'model.norm.weight'];
    const probes: [string, number][] = names.map((n) => {
      const g = grads[n]!.ref.dataSync() as Float64Array;
      let best = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[best]!)) best = i;
      return [n, best];
    });
    // jax-js evaluates exp/log in float32 precision even for float64 arrays (measured: exp(1+1e-9)
    // is off by 8.5e-8), so a tiny step drowns in rounding; 5e-3 keeps truncation and rounding small.
    const h = Math.fround(5e-3);
    for (const [name, flat] of probes) {
      const g = (grads[name]!.ref.dataSync() as Float64Array)[flat]!;
      const f = (delta: number) => {
        const p = tree.ref(params);
        const bump = new Float32Array(params[name]!.size);
        bump[flat] = delta;
        p[name] = p[name]!.add(np.array(bump).astype(np.float64).reshape(params[name]!.shape));
        const r = lossAndGrad(m, p, ex, s);
        tree.dispose(r.grads);
        tree.dispose(p);
        return r.loss;
      };
      const fd = (f(h) - f(-h)) / (2 * h);
      expect(Math.abs(g - fd) / Math.max(Math.abs(fd), 1e-6), `${name}[${flat}]: autodiff ${g}, finite difference ${fd}`).toBeLessThan(1e-3);
      expect(Math.abs(fd)).toBeGreaterThan(1e-7); // the probe moves the loss at all
    }
    tree.dispose(grads);
    tree.dispose(params);
    // Thirteen eager float64 passes: minutes on a busy 2-core machine.
  }, 400_000);

  it('prefix masking leaves the sigmoid-DPO gradient unchanged and changes the joint loss gradient', async () => {
    const m = model('tiny-a');
    const ex = pairs(m).slice(0, 2);
    expect(ex.every((e) => e.commonPrefix > 3)).toBe(true);
    const ref = new JaxTrainer(m.cfg, m.weights, settings(), m.tok.padId);
    await prepareReference(ref, ex);
    ref.dispose();
    // Make the reference prefer chosen less, on a token after the shared prefix (the prefix is the
    // same text in the same context, so its log-probs cancel in the margin only if they are equal).
    for (const e of ex) e.refRejected![e.refRejected!.length - 1]! -= 3;
    const params = params64(m);
    const grad = (alpha: number, mask: boolean) => {
      const r = lossAndGrad(m, params, ex, settings({}, { loss: 'sigmoid', beta: 0.1, alpha, maskCommonPrefix: mask }));
      const flat = Float64Array.from(Object.keys(r.grads).sort().flatMap((k) => Array.from(r.grads[k]!.ref.dataSync() as Float64Array)));
      tree.dispose(r.grads);
      return flat;
    };
    const rel = (a: Float64Array, b: Float64Array) => maxDiff(a, b) / a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(rel(grad(0, false), grad(0, true))).toBeLessThan(1e-6);
    expect(rel(grad(1, false), grad(1, true))).toBeGreaterThan(1e-3);
    tree.dispose(params);
  });

  it('starts at ln 2 with zero rewards; a few steps lower the loss and raise the margins', async () => {
    const m = model('tiny-a');
    const ex = pairs(m);
    const tr = new JaxTrainer(m.cfg, m.weights, settings({ lr: 2e-4, steps: 4 }), m.tok.padId);
    await prepareReference(tr, ex);
    const metrics: StepMetrics[] = [];
    for (let i = 0; i < 4; i++) metrics.push(await tr.step(ex));
    const [first, last] = [metrics[0]!, metrics[3]!];
    expect(first.loss).toBeCloseTo(Math.log(2), 5);
    expect(Math.abs(first['rewards/chosen']!)).toBeLessThan(1e-4);
    expect(Math.abs(first['rewards/rejected']!)).toBeLessThan(1e-4);
    expect(last.loss).toBeLessThan(first.loss - 0.05);
    expect(last['rewards/margins']!).toBeGreaterThan(first['rewards/margins']! + 0.1);
    expect(first.grad_norm).toBeGreaterThan(0);
    tr.dispose();
  });

  it('a fixed micro-batch shape (padding pairs, longer rows) gives the same step as exact packing', async () => {
    const m = model('tiny-a');
    const ex = pairs(m);
    const run = async (over: Partial<TrainSettings>) => {
      const tr = new JaxTrainer(m.cfg, m.weights, settings({ lr: 2e-4, ...over }), m.tok.padId);
      await prepareReference(tr, ex);
      const out = [await tr.step(ex), await tr.step(ex)];
      tr.dispose();
      return out;
    };
    const exact = await run({ microBatch: 4 });
    // 3 pairs per micro-batch: the second micro-batch holds 1 pair and 2 padding pairs.
    const fixed = await run({ microBatch: 3, fixedLength: 128 });
    for (let i = 0; i < 2; i++)
      for (const k of ['loss', 'rewards/margins', 'logps/chosen', 'nll_loss', 'grad_norm'] as const) expect(Math.abs(fixed[i]![k]! - exact[i]![k]!), `${k} at step ${i + 1}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(exact[i]![k]!)));
    expect(fixed[0]!.tokens).toBe(exact[0]!.tokens);
  });

  it('stops on a NaN loss, naming the step and the fix', async () => {
    const m = model('tiny-a');
    const ex = pairs(m).slice(0, 2);
    const tr = new JaxTrainer(m.cfg, m.weights, settings(), m.tok.padId);
    await prepareReference(tr, ex);
    ex[0]!.refChosen = ex[0]!.refChosen!.map(() => NaN);
    await expect(tr.step(ex)).rejects.toThrow(NonFiniteLossError);
    await expect(tr.step(ex)).rejects.toThrow(/step 1: the loss is NaN.*lower --lr/);
    tr.dispose();
  });
});

describe('runs and checkpoints (tiny-a)', () => {
  async function run(seed: number): Promise<StepMetrics[]> {
    const m = model('tiny-a');
    const ex = pairs(m);
    const tr = new JaxTrainer(m.cfg, m.weights, settings({ steps: 3, microBatch: 2 }), m.tok.padId);
    await prepareReference(tr, ex);
    const out: StepMetrics[] = [];
    const opts = { steps: 3, batch: 2, seed, startStep: 0, startConsumed: 0, evalEvery: 0, heldOut: [] };
    await runTraining(tr, ex, { ...opts, onStep: (x) => void out.push(x), onSave: async () => {}, shouldStop: () => false });
    tr.dispose();
    return out;
  }

  it('the same seed gives identical metrics on wasm; another seed another data order', async () => {
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.map((x) => x.loss)).toEqual(b.map((x) => x.loss));
    expect(a).toEqual(b);
    expect(c.map((x) => x['logps/chosen'])).not.toEqual(a.map((x) => x['logps/chosen']));
  });

  it('a checkpoint loads in OrtEngine with the trainer logits (1e-4) and exports HF-named safetensors', async () => {
    const m = model('tiny-a');
    const ex = pairs(m);
    const tr = new JaxTrainer(m.cfg, m.weights, settings({ lr: 1e-3 }), m.tok.padId);
    await prepareReference(tr, ex);
    await tr.step(ex);
    await tr.step(ex);
    const state = await tr.state();
    const dir = join(mkdtempSync(join(tmpdir(), 'lab-ckpt-')), 'ck');
    writeCheckpointDir(dir, checkpointFiles(m.files, state, { schema: CHECKPOINT_SCHEMA, base: 'tiny-a', step: 2, steps: 2, settings: {}, data: { file: 'x', rows: 4 }, consumed: 8, created: '' }));
    const eng = await loadNodeEngine(dir);
    const row = m.tok.encode(m.tok.prompt([{ role: 'user', content: 'How many times does the letter "s" appear in "address"?' }]));
    const ours = await tr.forward([row]);
    const theirs = (await eng.runner.forward([row], eng.runner.emptyPast(1))).logits;
    const shipped = await loadNodeEngine('tiny-a');
    const before = (await shipped.runner.forward([row], shipped.runner.emptyPast(1))).logits;
    expect(maxDiff(ours, theirs)).toBeLessThan(1e-4);
    expect(maxDiff(before, theirs)).toBeGreaterThan(1e-2); // the weights really changed
    const st = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    expect(st.tensors.get('model.layers.0.self_attn.q_proj.weight')!.shape).toEqual([192, 192]);
    expect(st.tensors.get('model.layers.0.mlp.down_proj.weight')!.shape).toEqual([192, 512]);
    expect(Array.from(st.tensors.get('model.norm.weight')!.data)).toEqual(Array.from(state.weights.get('model.norm.weight')!.data));
    tr.dispose();
    await eng.dispose();
    await shipped.dispose();
  });
});
