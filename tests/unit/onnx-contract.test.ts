/**
 * The embedded models honour the transformers.js causal-LM ONNX contract, and running with the KV
 * cache gives the same logits as running without it (1e-4), also with left padding in a batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../../src/engines/ort/node.js';
import { OrtRunner, shapeFromConfig, type OrtNamespace } from '../../src/engines/ort/runner.js';

const MODELS = ['tiny-a', 'tiny-b'];

async function runner(id: string) {
  const dir = join(MODELS_DIR, id);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const session = await ort.InferenceSession.create(join(dir, 'onnx/model.onnx'));
  return { r: new OrtRunner(ort as unknown as OrtNamespace, session, shapeFromConfig(cfg)), cfg, session, dir };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe.each(MODELS)('%s ONNX contract', (id) => {
  it('has the transformers.js inputs and outputs and a config of the declared architecture', async () => {
    const { session, cfg, dir } = await runner(id);
    const L = cfg.num_hidden_layers as number;
    const ins = ['input_ids', 'attention_mask', 'position_ids', ...Array.from({ length: L }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat()];
    const outs = ['logits', ...Array.from({ length: L }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat()];
    expect([...session.inputNames].sort()).toEqual([...ins].sort());
    expect([...session.outputNames].sort()).toEqual([...outs].sort());
    expect(cfg.model_type).toBe(id === 'tiny-a' ? 'qwen2' : 'llama');
    const size = readFileSync(join(dir, 'onnx/model.onnx')).byteLength;
    expect(size).toBeLessThan(25 * 1024 * 1024);
  });

  it('matches the PyTorch reference logits exported with it (1e-4)', async () => {
    const { r, dir } = await runner(id);
    const ref = JSON.parse(readFileSync(join(dir, 'onnx/reference_logits.json'), 'utf8')) as { input_ids: number[]; last_logits: number[] };
    const T = ref.input_ids.length;
    const res = await r.forward([ref.input_ids], r.emptyPast(1));
    expect(maxDiff(r.logitsAt(res, 0, T - 1), ref.last_logits)).toBeLessThan(1e-4);
  });

  it('gives the same logits with and without the KV cache (1e-4)', async () => {
    const { r } = await runner(id);
    const ids = Array.from({ length: 30 }, (_, i) => 32 + ((i * 37) % 90));
    const full = await r.forward([ids], r.emptyPast(1));
    let past = r.emptyPast(1);
    // prefix of 10, then chunks of 7, 1, 1, ... and compare every position's logits
    const chunks = [ids.slice(0, 10), ids.slice(10, 17), ...ids.slice(17).map((t) => [t])];
    let pos = 0;
    let worst = 0;
    for (const c of chunks) {
      const res = await r.forward([c], past);
      for (let t = 0; t < c.length; t++) worst = Math.max(worst, maxDiff(r.logitsAt(res, 0, t), r.logitsAt(full, 0, pos + t)));
      past = res.present;
      pos += c.length;
    }
    expect(past.len).toBe(30);
    expect(worst).toBeLessThan(1e-4);
  });

  it('right padding masked out by attention_mask leaves the real tokens unchanged (batched scoring)', async () => {
    const { r } = await runner(id);
    const a = [72, 105, 33, 10, 65, 66];
    const b = [90, 91, 92];
    const pad = 0;
    const batch = await r.forward([a, [...b, pad, pad, pad]], r.emptyPast(2), [[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]]);
    const alone = await r.forward([b], r.emptyPast(1));
    for (let t = 0; t < b.length; t++) expect(maxDiff(r.logitsAt(batch, 1, t), r.logitsAt(alone, 0, t))).toBeLessThan(1e-4);
    const aAlone = await r.forward([a], r.emptyPast(1));
    expect(maxDiff(r.logitsAt(batch, 0, 5), r.logitsAt(aAlone, 0, 5))).toBeLessThan(1e-4);
  });
});
