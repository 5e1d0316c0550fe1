/**
 * The 1B-class catalogue as the browser backends see it: which build to use on this adapter
 * (q4f16 needs the `shader-f16` feature, otherwise q4f32) and where its files live (the Hugging
 * Face hub, or a local folder a classroom serves itself: docs/webllm-local.md). Pure functions:
 * no web-llm import, so the Models view can use them without loading web-llm.
 */
import { catalogue, findModel, type CatalogueEntry, type OnnxDtype, type OnnxVariant, type WebLLMQuant, type WebLLMVariant } from '../../core/catalogue.js';

export type { OnnxDtype, WebLLMQuant } from '../../core/catalogue.js';

export const HUB_ORIGIN = 'https://huggingface.co';

/** Where weights come from: the hub (online), or a folder URL such as "/models/" (see docs/webllm-local.md). */
export type WeightSource = { kind: 'hub' } | { kind: 'local'; root: string };

function has(features: Iterable<string>, name: string): boolean {
  for (const f of features) if (f === name) return true;
  return false;
}

/** q4f16 when the adapter has `shader-f16`, else q4f32 (web-llm's q4f16 kernels need f16 in shaders). */
export function chooseQuant(features: Iterable<string>): WebLLMQuant {
  return has(features, 'shader-f16') ? 'q4f16' : 'q4f32';
}

/**
 * The onnx-community file for the ort backend: q4f16 needs `shader-f16` *and* an engine that
 * keeps an fp16 KV cache; the ort runner keeps fp32 past key/values today, so pass
 * `fp16Kv: true` only once it does. Otherwise q4 (fp32 activations, 4-bit MatMul weights).
 */
export function chooseOnnxDtype(features: Iterable<string>, opts: { fp16Kv?: boolean } = {}): OnnxDtype {
  return opts.fp16Kv && has(features, 'shader-f16') ? 'q4f16' : 'q4';
}

/** The quantisation label a catalogue entry would use on an adapter with `features`. */
export function chosenBuild(entry: CatalogueEntry, features: Iterable<string>): string {
  if (entry.webllm) return chooseQuant(features);
  if (entry.onnx) return chooseOnnxDtype(features);
  return 'fp32';
}

/** The 1B-class web-llm entries, in catalogue order. */
export function webllmEntries(): CatalogueEntry[] {
  return catalogue().filter((e) => e.backend === 'webllm' && e.webllm);
}

/** The onnx-community entries for the ort backend. */
export function onnxEntries(): CatalogueEntry[] {
  return catalogue().filter((e) => e.backend === 'ort' && e.onnx);
}

export function webllmVariant(entry: CatalogueEntry, quant: WebLLMQuant): WebLLMVariant {
  const v = entry.webllm?.variants[quant];
  if (!v) throw new Error(`model "${entry.id}" has no web-llm ${quant} build: it runs on the ${entry.backend} backend`);
  return v;
}

export function onnxVariant(entry: CatalogueEntry, dtype: OnnxDtype): OnnxVariant {
  const v = entry.onnx?.variants[dtype];
  if (!v) throw new Error(`model "${entry.id}" has no ONNX ${dtype} file`);
  return v;
}

/** Folder URL ending in "/", resolved against `base` when relative. */
export function folderUrl(url: string, base?: string): string {
  const abs = base ? new URL(url, base).href : url;
  return abs.endsWith('/') ? abs : `${abs}/`;
}

/**
 * web-llm's model URL of a build: the hub repository's `resolve/main/`, or
 * `<root>webllm/<model_id>/resolve/main/` locally (web-llm appends `resolve/main/` to any model URL
 * without a `/resolve/<branch>/` segment, so a local mirror keeps the hub's path shape).
 */
export function webllmModelUrl(entry: CatalogueEntry, quant: WebLLMQuant, source: WeightSource, base?: string): string {
  const v = webllmVariant(entry, quant);
  if (source.kind === 'hub') return `${v.hub.replace(/\/+$/, '')}/resolve/main/`;
  return `${folderUrl(source.root, base)}webllm/${v.modelId}/resolve/main/`;
}

/** The model library (.wasm) URL of a local build: it sits next to the weights. */
export function webllmLocalLibUrl(entry: CatalogueEntry, quant: WebLLMQuant, root: string, base?: string, libFile?: string): string {
  return webllmModelUrl(entry, quant, { kind: 'local', root }, base) + (libFile ?? webllmVariant(entry, quant).modelLib);
}

/** Folder URL of an ONNX entry: `<root><id>/` locally, the repository's `resolve/main/` on the hub. */
export function onnxBaseUrl(entry: CatalogueEntry, source: WeightSource, base?: string): string {
  if (!entry.onnx) throw new Error(`model "${entry.id}" is not an onnx-community build`);
  return source.kind === 'hub' ? `${HUB_ORIGIN}/${entry.onnx.repo}/resolve/main/` : `${folderUrl(source.root, base)}${entry.id}/`;
}

/** Whether `url` (relative ones resolved against the page) is served by another origin than the page. */
export function isRemote(url: string, pageUrl: string): boolean {
  return new URL(url, pageUrl).origin !== new URL(pageUrl).origin;
}

export { catalogue, findModel };
