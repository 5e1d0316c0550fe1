/**
 * Will this model fit? A memory estimate per catalogue entry against the adapter's limits
 * (maxBufferSize, maxStorageBufferBindingSize) and a device-memory heuristic
 * (navigator.deviceMemory, which Chrome rounds down and caps at 8 GB), plus the total for several
 * models loaded at once (thinker + reflector). Estimates, not promises: the UI shows a warning
 * before loading and lets the user load anyway.
 */
import type { CatalogueEntry } from '../../core/catalogue.js';
import { chooseOnnxDtype, chooseQuant, type OnnxDtype, type WebLLMQuant } from './catalogue.js';

const MB = 1024 * 1024;

/** What the estimate needs to know about the adapter (a GpuReport fits this shape). */
export interface AdapterLimits {
  available: boolean;
  features: string[];
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
  /** navigator.deviceMemory (GB; Chrome caps it at 8). */
  deviceMemoryGB?: number;
  vendor?: string;
  architecture?: string;
}

export type FitLevel = 'ok' | 'warn' | 'block';

export interface MemoryEstimate {
  id: string;
  backend: CatalogueEntry['backend'];
  /** The build chosen for this adapter: q4f16 / q4f32 (web-llm), q4f16 / q4 (ONNX), fp32 (embedded). */
  quant: string;
  /** GPU (or, on wasm, main) memory the model needs while generating, MB. */
  needMB: number;
  /** The largest single GPU buffer it allocates, MB. */
  largestBufferMB: number;
  downloadMB: number;
  /** False when it cannot load here (no WebGPU for web-llm, a buffer over the adapter's limit, more memory than the device has). */
  fits: boolean;
  level: FitLevel;
  /** Every reason for a warning or a block, as sentences naming the fix. */
  reasons: string[];
  /** `reasons` joined, or undefined when all is well. */
  warning?: string;
}

/** ORT sizing assumptions: a KV cache for `ORT_ROWS` rows of `ORT_CONTEXT` tokens (fp32) and full logits of a 512-token prefill. */
const ORT_CONTEXT = 2048;
const ORT_ROWS = 4;
const ORT_PREFILL = 512;

function round(x: number): number {
  return Math.round(x);
}

/** The estimate for one entry on this adapter (`quant` overrides the adapter's choice). */
export function memoryEstimate(entry: CatalogueEntry, limits: AdapterLimits, opts: { quant?: string } = {}): MemoryEstimate {
  const reasons: string[] = [];
  let block = false;
  let needMB: number;
  let largestMB: number;
  let downloadMB: number;
  let quant: string;
  const arch = entry.arch;
  if (entry.webllm) {
    const q = (opts.quant as WebLLMQuant | undefined) ?? chooseQuant(limits.features);
    const v = entry.webllm.variants[q];
    quant = q;
    needMB = v.vramMB;
    downloadMB = v.downloadMB;
    // The packed 4-bit embedding table is web-llm's largest weight buffer.
    largestMB = arch ? (arch.vocab * arch.hidden * 0.5) / MB : 0;
    if (!limits.available) {
      block = true;
      reasons.push('needs WebGPU, which this browser does not offer: use a WebGPU browser, or an embedded model on wasm');
    } else if (q === 'q4f16' && !limits.features.includes('shader-f16')) {
      block = true;
      reasons.push('the q4f16 build needs the shader-f16 feature, which this GPU lacks: use q4f32');
    }
  } else if (entry.onnx) {
    const d = (opts.quant as OnnxDtype | undefined) ?? chooseOnnxDtype(limits.features);
    quant = d;
    downloadMB = entry.onnx.variants[d].downloadMB;
    const bytes = d === 'q4' ? 4 : 2;
    const kv = arch ? (2 * arch.layers * arch.kvHeads * arch.headDim * 4 * ORT_CONTEXT * ORT_ROWS) / MB : 0;
    const logits = arch ? (ORT_PREFILL * arch.vocab * 4) / MB : 0;
    needMB = (downloadMB + kv + logits) * 1.1;
    largestMB = arch ? Math.max((arch.vocab * arch.hidden * bytes) / MB, logits) : downloadMB;
    if (!limits.available) reasons.push('no WebGPU here: it would run on wasm (CPU), slowly');
  } else {
    quant = 'fp32';
    downloadMB = entry.sizeMB;
    needMB = entry.sizeMB * 3;
    largestMB = entry.sizeMB;
  }
  if (limits.available) {
    const binding = limits.maxStorageBufferBindingSize;
    const maxBuf = limits.maxBufferSize;
    if (binding !== undefined && largestMB * MB > binding) {
      block = true;
      reasons.push(`needs a ${round(largestMB)} MB GPU buffer but this adapter binds at most ${round(binding / MB)} MB (maxStorageBufferBindingSize): choose a smaller model`);
    } else if (maxBuf !== undefined && largestMB * MB > maxBuf) {
      block = true;
      reasons.push(`needs a ${round(largestMB)} MB GPU buffer but this adapter allows at most ${round(maxBuf / MB)} MB (maxBufferSize): choose a smaller model`);
    }
    if (isSoftwareAdapter(limits) && entry.params > 1e8) reasons.push('this is a software GPU (SwiftShader): a 1B-class model will take minutes per answer');
  }
  const device = limits.deviceMemoryGB;
  if (device !== undefined && device > 0) {
    const deviceMB = device * 1024;
    const capped = device >= 8 ? ' or more' : '';
    if (needMB > deviceMB) {
      block = true;
      reasons.push(`needs ≈${round(needMB)} MB but this device reports ${device} GB of memory${capped}: choose a smaller model`);
    } else if (needMB > deviceMB / 2 && !(device >= 8 && needMB < 4096)) {
      reasons.push(`needs ≈${round(needMB)} MB, more than half of this device's ${device} GB${capped}: close other tabs first, or choose a smaller model`);
    }
  }
  const level: FitLevel = block ? 'block' : reasons.length ? 'warn' : 'ok';
  return { id: entry.id, backend: entry.backend, quant, needMB: round(needMB), largestBufferMB: round(largestMB), downloadMB: round(downloadMB), fits: !block, level, reasons, ...(reasons.length ? { warning: reasons.join('; ') } : {}) };
}

/** SwiftShader (Chrome's CPU WebGPU) or another fallback adapter. */
export function isSoftwareAdapter(limits: Pick<AdapterLimits, 'vendor' | 'architecture'>): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|cpu/i.test(`${limits.vendor ?? ''} ${limits.architecture ?? ''}`);
}

/** Several models at once (e.g. thinker + reflector): the total against the device-memory budget (half the device). */
export function combinedEstimate(estimates: MemoryEstimate[], limits: AdapterLimits): { needMB: number; fits: boolean; warning?: string } {
  const needMB = estimates.reduce((a, e) => a + e.needMB, 0);
  const device = limits.deviceMemoryGB;
  if (estimates.length < 2 || device === undefined || device <= 0) return { needMB, fits: true };
  const deviceMB = device * 1024;
  const list = estimates.map((e) => `${e.id} ≈${e.needMB} MB`).join(' + ');
  if (needMB > deviceMB) return { needMB, fits: false, warning: `${list} = ≈${needMB} MB, more than this device's ${device} GB: unload a model or choose smaller ones` };
  if (needMB > deviceMB / 2 && !(device >= 8 && needMB < 4096)) return { needMB, fits: true, warning: `${list} = ≈${needMB} MB, more than half of this device's ${device} GB: expect slow-downs or a lost GPU device; unload a model if it fails` };
  return { needMB, fits: true };
}
