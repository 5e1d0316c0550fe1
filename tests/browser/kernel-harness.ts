/**
 * Browser side of tests/browser/kernel.test.ts and bench/kernel.ts: the masked log-prob kernel
 * on real WebGPU (SwiftShader here), devices requested with and without `subgroups`, the CPU
 * reference computed in the page on the same logits, ORT scoring on tiny-a, `window.lab.gpu`.
 */
import { maskedLogprobs } from '../../src/dpo/logprobs.js';
import { installLabGpu, requestLabDevice, type LabLogprobsInput } from '../../src/gpu/console.js';
import { MaskedLogprobKernel, type KernelResult } from '../../src/gpu/masked-logprobs.js';
import { OrtPairScorer, type DpoPair, type ScoreMode } from '../../src/engines/ort/pair-scorer.js';

const devices = new Map<boolean, Promise<GPUDevice>>();
function device(subgroups: boolean): Promise<GPUDevice> {
  let d = devices.get(subgroups);
  if (!d) {
    d = requestLabDevice({ subgroups });
    devices.set(subgroups, d);
  }
  return d;
}

const kernels = new Map<string, Promise<MaskedLogprobKernel>>();
function kernel(subgroups: boolean, capBytes?: number, targetWorkgroups?: number, workgroupSize?: number): Promise<MaskedLogprobKernel> {
  const key = `${subgroups}:${capBytes ?? ''}:${targetWorkgroups ?? ''}:${workgroupSize ?? ''}`;
  let k = kernels.get(key);
  if (!k) {
    k = device(subgroups).then((d) => MaskedLogprobKernel.create(d, { useSubgroups: subgroups, ...(capBytes ? { capBytes } : {}),
      ...(targetWorkgroups ? { targetWorkgroups } : {}), ...(workgroupSize ? { workgroupSize } : {}) }));
    kernels.set(key, k);
  }
  return k;
}

async function adapterInfo() {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) return null;
  const [withSg, without] = await Promise.all([device(true), device(false)]);
  return {
    features: [...adapter.features].sort(),
    subgroupSizes: [adapter.info.subgroupMinSize, adapter.info.subgroupMaxSize],
    subgroupIdBuiltin: gpu!.wgslLanguageFeatures.has('subgroup_id'),
    deviceWith: withSg.features.has('subgroups'),
    deviceWithout: without.features.has('subgroups'),
  };
}

interface RunOptions {
  subgroups: boolean;
  capBytes?: number;
  /** 'array': pass a Float32Array; 'buffer': upload into a GPUBuffer (after `offsetBytes` of junk) and pass that. */
  via?: 'array' | 'buffer';
  offsetBytes?: number;
  /** Kernel option (default: 1 on SwiftShader, 1024 on a GPU). */
  targetWorkgroups?: number;
  /** Kernel option (default: chosen from the chunk length). */
  workgroupSize?: number;
}

/** Run the kernel on one case; returns plain JSON. */
async function runKernel(vocab: number, logits: Float32Array<ArrayBuffer>, targets: ArrayLike<number>, mask: ArrayLike<number>, o: RunOptions) {
  const k = await kernel(o.subgroups, o.capBytes, o.targetWorkgroups, o.workgroupSize);
  let input: Float32Array | GPUBuffer = logits;
  let buf: GPUBuffer | null = null;
  const offset = o.offsetBytes ?? 0;
  if (o.via === 'buffer') {
    buf = k.device.createBuffer({ size: Math.ceil((offset + logits.byteLength + 4) / 16) * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    // Junk around the logits: a misplaced read shows up as a wrong answer.
    if (offset) k.device.queue.writeBuffer(buf, 0, new Float32Array(offset / 4).fill(1e4));
    k.device.queue.writeBuffer(buf, offset, logits);
    k.device.queue.writeBuffer(buf, offset + logits.byteLength, new Float32Array([1e4]));
    input = buf;
  }
  try {
    const r = await k.runBatch({ vocab, logits: input, logitsOffsetBytes: offset, targets, mask });
    const s = r.sequences[0]!;
    return { ...plain(s), usesSubgroups: k.usesSubgroups, usesSubgroupId: k.usesSubgroupId, tiles: r.plan.tiles.length,
      chunksPerRow: r.plan.chunksPerRow, maxBindSize: Math.max(...r.plan.tiles.map((t) => t.bindSize)),
      staged: r.staged, capBytes: k.capBytes, workgroupSize: r.workgroupSize };
  } finally {
    buf?.destroy();
  }
}

const plain = (s: KernelResult) => ({ tokenLogps: Array.from(s.tokenLogps), sum: s.sum, count: s.count, bytesRead: s.bytesRead });

/** A logprob_cases.json input through the kernel. */
async function runCase(c: { vocab: number; logits: number[]; targets: number[]; mask: number[] }, o: RunOptions) {
  return runKernel(c.vocab, Float32Array.from(c.logits), c.targets, c.mask, o);
}

/** Seeded uniform [0, 1) (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SyntheticOptions extends RunOptions {
  T: number;
  V: number;
  seed: number;
  /** Added to every logit (e.g. 90). */
  add?: number;
  /** Positions with mask 0. */
  masked?: number[];
}

function synth(o: Pick<SyntheticOptions, 'T' | 'V' | 'seed' | 'add' | 'masked'>) {
  const r = rng(o.seed);
  const logits = new Float32Array(o.T * o.V);
  for (let i = 0; i < logits.length; i++) logits[i] = (r() + r() + r() - 1.5) * 6 + (o.add ?? 0);
  const targets = Array.from({ length: o.T }, () => Math.floor(r() * o.V));
  const mask = Array.from({ length: o.T }, (_, t) => (o.masked?.includes(t) ? 0 : 1));
  return { logits, targets, mask };
}

/** Random logits generated in the page; kernel result and the CPU reference on the same fp32 logits. */
async function synthetic(o: SyntheticOptions) {
  const { logits, targets, mask } = synth(o);
  const ref = maskedLogprobs(logits, o.V, targets, mask);
  const gpu = await runKernel(o.V, logits, targets, mask, o);
  return { gpu, ref: { tokenLogps: Array.from(ref.tokenLogps), sum: ref.sum, count: ref.count } };
}

/** `window.lab.gpu.maskedLogprobs` after installLabGpu(). */
async function consoleCase(input: LabLogprobsInput) {
  installLabGpu();
  const lab = (globalThis as unknown as { lab?: { gpu?: { maskedLogprobs: (i: LabLogprobsInput) => Promise<unknown> } } }).lab;
  return { installed: typeof lab?.gpu?.maskedLogprobs === 'function', line: await lab!.gpu!.maskedLogprobs(input) };
}

let scorer: Promise<OrtPairScorer> | null = null;
const getScorer = () => (scorer ??= OrtPairScorer.create({ baseUrl: '/models/tiny-a/' }));

/** Score pairs on tiny-a with logits kept on the GPU and read back (CPU reference). */
async function ortScore(pairs: DpoPair[], batchPairs = 8) {
  const s = await getScorer();
  const gpu = await s.score(pairs, { mode: 'gpu', batchPairs });
  const readback = await s.score(pairs, { mode: 'readback', batchPairs });
  return { gpu, readback, ortDeviceSubgroups: s.device.features.has('subgroups'), usesSubgroups: s.kernel.usesSubgroups, vocab: s.shape.vocab };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timeIt<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

/** Kernel vs CPU reference on the same logits (all positions scored). */
async function benchKernel(o: { T: number; V: number; capBytes?: number; repeats: number; subgroups?: boolean }) {
  const subgroups = o.subgroups ?? (await device(true)).features.has('subgroups');
  const k = await kernel(subgroups, o.capBytes);
  const { logits, targets, mask } = synth({ T: o.T, V: o.V, seed: 7 });
  const buf = k.device.createBuffer({ size: logits.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  k.device.queue.writeBuffer(buf, 0, logits);
  await k.run({ vocab: o.V, logits: buf, targets, mask }); // warm-up
  const cpu: number[] = [];
  const gpuBuf: number[] = [];
  const gpuArr: number[] = [];
  let ref = maskedLogprobs(logits, o.V, targets, mask);
  let resBuf: KernelResult | null = null;
  let batch = null as Awaited<ReturnType<MaskedLogprobKernel['runBatch']>> | null;
  for (let i = 0; i < o.repeats; i++) {
    const [tc, rc] = await timeIt(() => maskedLogprobs(logits, o.V, targets, mask));
    cpu.push(tc);
    ref = rc;
    const [tb, rb] = await timeIt(() => k.runBatch({ vocab: o.V, logits: buf, targets, mask }));
    gpuBuf.push(tb);
    batch = rb;
    resBuf = rb.sequences[0]!;
    const [ta] = await timeIt(() => k.run({ vocab: o.V, logits, targets, mask }));
    gpuArr.push(ta);
  }
  buf.destroy();
  let maxAbs = 0;
  for (let t = 0; t < o.T; t++) maxAbs = Math.max(maxAbs, Math.abs(resBuf!.tokenLogps[t]! - ref.tokenLogps[t]!));
  const minBytes = o.T * o.V * 4;
  return {
    T: o.T,
    V: o.V,
    logitsMiB: +(minBytes / 2 ** 20).toFixed(1),
    usesSubgroups: k.usesSubgroups,
    capBytes: k.capBytes,
    tiles: batch!.plan.tiles.length,
    chunksPerRow: batch!.plan.chunksPerRow,
    workgroupSize: batch!.workgroupSize,
    cpuMs: median(cpu),
    gpuFromBufferMs: median(gpuBuf),
    gpuFromArrayMs: median(gpuArr),
    bytesRead: resBuf!.bytesRead,
    minBytes,
    maxAbsDiff: maxAbs,
    sumGpu: resBuf!.sum,
    sumCpu: ref.sum,
  };
}

const PROMPTS = ["How many r's are in strawberry?", 'Spell cat backwards.', 'What is 2 + 3?', 'Name a colour.', 'Count the vowels in banana.', 'Is 7 prime?', 'Reverse the word lab.', 'What comes after Monday?'];
const ANSWERS = ['There are 3.', 'tac', '5', 'Blue.', 'Three vowels: a, a, a.', 'Yes, 7 is prime.', 'bal', 'Tuesday.'];

/** n deterministic pairs for tests and benchmarks. */
function makePairs(n: number): DpoPair[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    prompt: PROMPTS[i % PROMPTS.length]!,
    chosen: ANSWERS[i % ANSWERS.length]!,
    rejected: ANSWERS[(i + 3) % ANSWERS.length]! + ' ' + 'I think.'.repeat(1 + (i % 3)),
  }));
}

/** Scoring n pairs with logits kept on the GPU vs read back (ms, medians). */
async function benchScore(o: { pairs: number; repeats: number; batchPairs?: number; syncTiming?: boolean }) {
  const s = await getScorer();
  const pairs = makePairs(o.pairs);
  await s.score(pairs.slice(0, 8), { mode: 'gpu' }); // warm-up (shader compilation)
  await s.score(pairs.slice(0, 8), { mode: 'readback' });
  const runs: Record<ScoreMode, number[]> = { gpu: [], readback: [] };
  const logprob: Record<ScoreMode, number[]> = { gpu: [], readback: [] };
  const forward: Record<ScoreMode, number[]> = { gpu: [], readback: [] };
  let last: Record<ScoreMode, Awaited<ReturnType<OrtPairScorer['score']>> | null> = { gpu: null, readback: null };
  for (let i = 0; i < o.repeats; i++) {
    for (const mode of ['gpu', 'readback'] as const) {
      const r = await s.score(pairs, { mode, syncTiming: o.syncTiming ?? false, ...(o.batchPairs ? { batchPairs: o.batchPairs } : {}) });
      runs[mode].push(r.stats.totalMs);
      logprob[mode].push(r.stats.logprobMs);
      forward[mode].push(r.stats.forwardMs);
      last = { ...last, [mode]: r };
    }
  }
  let maxRel = 0;
  last.gpu!.pairs.forEach((p, i) => {
    const q = last.readback!.pairs[i]!;
    for (const k of ['chosen', 'rejected'] as const) maxRel = Math.max(maxRel, Math.abs(p[k].sum - q[k].sum) / Math.max(1e-12, Math.abs(q[k].sum)));
  });
  return {
    pairs: o.pairs,
    vocab: s.shape.vocab,
    usesSubgroups: s.kernel.usesSubgroups,
    gpuTotalMs: median(runs.gpu),
    readbackTotalMs: median(runs.readback),
    syncTiming: o.syncTiming ?? false,
    gpuForwardMs: median(forward.gpu),
    readbackForwardMs: median(forward.readback),
    gpuLogprobMs: median(logprob.gpu),
    readbackLogprobMs: median(logprob.readback),
    forwardPasses: last.gpu!.stats.forwardPasses,
    logitsBytes: last.gpu!.stats.logitsBytes,
    bytesToCpuGpu: last.gpu!.stats.bytesToCpu,
    bytesToCpuReadback: last.readback!.stats.bytesToCpu,
    kernelBytesRead: last.gpu!.stats.kernelBytesRead,
    maxRelSumDiff: maxRel,
  };
}

/** Result types for bench/kernel.ts. */
export type KernelBench = Awaited<ReturnType<typeof benchKernel>>;
export type ScoreBench = Awaited<ReturnType<typeof benchScore>>;

Object.assign(globalThis, { kernelTest: { adapterInfo, runCase, synthetic, consoleCase, ortScore, makePairs, benchKernel, benchScore } });
document.getElementById('status')!.textContent = 'ready';
