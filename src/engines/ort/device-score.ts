/**
 * Teacher-forced scoring with the logits kept on the WebGPU device: one forward pass over
 * [last prompt token, completion...] for every completion (the prompt minus its last token comes
 * from the prefix cache), then the masked log-prob WGSL kernel (src/gpu) reads ORT's logits
 * buffer in place. Only the per-token log-probs (4 bytes per token) come back to JavaScript; the
 * CPU path (engine.ts) reads the logits rows and applies log-softmax instead.
 */
import type { SequenceScores } from '../../core/engine.js';
import { MaskedLogprobKernel } from '../../gpu/masked-logprobs.js';
import type { GpuOutputStore } from './gpu-kv.js';
import type { BatchPast, OrtRunner } from './runner.js';

const kernels = new WeakMap<GPUDevice, Promise<MaskedLogprobKernel>>();

/** The kernel on ORT's device, built once per device. */
export function kernelFor(device: GPUDevice): Promise<MaskedLogprobKernel> {
  let k = kernels.get(device);
  if (!k) {
    k = MaskedLogprobKernel.create(device);
    kernels.set(device, k);
  }
  return k;
}

/**
 * Log-probs of `toks` after `promptIds`, given `head` = the past of all prompt tokens but the
 * last (batch 1; empty for a one-token prompt). `shared` leading tokens are masked out of sums.
 */
export async function scoreOnDevice(runner: OrtRunner, head: BatchPast, promptIds: number[], toks: number[][], shared: number, padId: number): Promise<SequenceScores> {
  const store = runner.store as GpuOutputStore;
  const m = toks.length;
  const last = promptIds[promptIds.length - 1]!;
  const T = 1 + Math.max(...toks.map((t) => t.length));
  const ids = toks.map((t) => [last, ...t, ...new Array<number>(T - 1 - t.length).fill(padId)]);
  const mask = toks.map((t) => [...new Array<number>(head.len).fill(1), ...Array.from({ length: T }, (_, j) => (j <= t.length ? 1 : 0))]);
  const rep = head.len > 0 ? runner.repeat(head, m) : runner.emptyPast(m);
  const res = await runner.forward(ids, rep, mask, 'none').finally(() => runner.release(rep));
  runner.release(res.present);
  const logits = res.logitsTensor!;
  try {
    // Row j of sequence b (j < its length) predicts token j of the completion; padding rows are skipped.
    const targets = new Int32Array(m * T);
    const rowMask = new Uint32Array(m * T);
    toks.forEach((t, b) => t.forEach((id, j) => {
      targets[b * T + j] = id;
      rowMask[b * T + j] = 1;
    }));
    const kernel = await kernelFor(store.device);
    const out = await kernel.runBatch({ vocab: runner.shape.vocab, logits: logits.gpuBuffer as GPUBuffer, targets, mask: rowMask, lengths: new Array<number>(m).fill(T) });
    runner.counters.deviceReadBytes += m * T * 4 + m * 8; // token log-probs, plus sum and count per sequence
    const sequences = toks.map((t, b) => {
      const lp = out.sequences[b]!.tokenLogps;
      const logprobs = t.map((_, j) => lp[j]!);
      const maskRow = t.map((_, j) => (j < shared ? 0 : 1));
      const sum = logprobs.reduce((a, x, j) => a + (maskRow[j] ? x : 0), 0);
      return { tokens: t, logprobs, mask: maskRow, sum };
    });
    return { promptTokens: promptIds.length, sequences };
  } finally {
    logits.dispose();
  }
}
