/**
 * WebGPU feature detection, done before any download: adapter, features (shader-f16, subgroups)
 * and the limits that decide which models fit.
 */
export interface GpuReport {
  available: boolean;
  reason?: string;
  vendor?: string;
  architecture?: string;
  features: string[];
  maxStorageBufferBindingSize?: number;
  maxBufferSize?: number;
}

export async function detectGpu(): Promise<GpuReport> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { available: false, reason: 'this browser has no navigator.gpu (WebGPU is off or unsupported)', features: [] };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { available: false, reason: `requestAdapter failed: ${(e as Error).message}`, features: [] };
  }
  if (!adapter) return { available: false, reason: 'no WebGPU adapter (blocklisted GPU or no driver)', features: [] };
  return {
    available: true,
    vendor: adapter.info.vendor,
    architecture: adapter.info.architecture,
    features: [...adapter.features].map(String).sort(),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}
