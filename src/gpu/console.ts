/**
 * `window.lab.gpu`: the masked log-prob kernel from the browser console, e.g.
 *
 *   await lab.gpu.maskedLogprobs({ vocab: 3, logits: [1, 2, 3, 0, 0, 90], targets: [2, 0], mask: [1, 1] })
 *   // → { token_logps: [...], sum, count }  (the shape of a `lab logprobs` line)
 *
 * The WebGPU device is requested lazily on first use (with `subgroups` when the adapter has it,
 * and the adapter's largest buffer limits), and requested again if it is lost.
 */
import { MaskedLogprobKernel, type KernelOptions } from './masked-logprobs.js';

/** Input of {@link LabGpu.maskedLogprobs}: a `lab logprobs` case (`id` is echoed). */
export interface LabLogprobsInput {
  id?: string;
  vocab: number;
  /** Row-major [T, vocab] logits (or a GPUBuffer made on `(await lab.gpu.kernel()).device`). */
  logits: ArrayLike<number> | Float32Array | GPUBuffer;
  targets: ArrayLike<number>;
  mask: ArrayLike<number>;
}

/** Output of {@link LabGpu.maskedLogprobs}, shaped like a `lab logprobs` line. */
export interface LabLogprobsLine {
  id?: string;
  token_logps: number[];
  sum: number;
  count: number;
}

/** What `window.lab.gpu` holds. */
export interface LabGpu {
  /** Masked sequence log-probs on the GPU. */
  maskedLogprobs(input: LabLogprobsInput): Promise<LabLogprobsLine>;
  /** The kernel (and through it, the device), created on first use. */
  kernel(): Promise<MaskedLogprobKernel>;
  /** Drop the kernel and destroy the device; the next call starts afresh. */
  dispose(): Promise<void>;
}

/** Request a device with `subgroups` (when offered) and the adapter's largest storage limits. */
export async function requestLabDevice(opts: { subgroups?: boolean } = {}): Promise<GPUDevice> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) throw new Error('WebGPU is not available in this browser (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('WebGPU is available but no adapter was found');
  const features: GPUFeatureName[] = (opts.subgroups ?? true) && adapter.features.has('subgroups') ? ['subgroups'] : [];
  return adapter.requestDevice({
    label: 'reasoning-lab:gpu',
    requiredFeatures: features,
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
}

/** Build the `lab.gpu` object (without installing it). */
export function createLabGpu(opts: KernelOptions = {}): LabGpu {
  let pending: Promise<MaskedLogprobKernel> | null = null;
  const kernel = () => {
    pending ??= (async () => {
      const device = await requestLabDevice();
      void device.lost.then(() => {
        pending = null;
      });
      return MaskedLogprobKernel.create(device, opts);
    })().catch((e: unknown) => {
      pending = null;
      throw e;
    });
    return pending;
  };
  return {
    kernel,
    async maskedLogprobs(input) {
      const k = await kernel();
      const logits = input.logits instanceof Float32Array || (typeof GPUBuffer !== 'undefined' && input.logits instanceof GPUBuffer) ? (input.logits as Float32Array | GPUBuffer) : Float32Array.from(input.logits as ArrayLike<number>);
      const r = await k.run({ vocab: input.vocab, logits, targets: input.targets, mask: input.mask });
      return { ...(input.id !== undefined ? { id: input.id } : {}), token_logps: Array.from(r.tokenLogps), sum: r.sum, count: r.count };
    },
    async dispose() {
      const p = pending;
      pending = null;
      if (p) {
        const k = await p.catch(() => null);
        k?.destroy();
        k?.device.destroy();
      }
    },
  };
}

/** Install `window.lab.gpu` (keeping anything else already on `window.lab`) and return it. */
export function installLabGpu(opts: KernelOptions = {}): LabGpu {
  const g = globalThis as unknown as { lab?: Record<string, unknown> };
  const gpu = createLabGpu(opts);
  (g.lab ??= {}).gpu = gpu;
  return gpu;
}
