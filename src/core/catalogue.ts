/**
 * The model catalogue (models/catalogue.json): embedded tiny models first, then 1B-class models
 * that need a download or a server. Pure data + lookups; loaders live in engines/.
 *
 * The web-llm fields (model ids, VRAM, model library file) are generated from the installed
 * @mlc-ai/web-llm's `prebuiltAppConfig` by `npx tsx tools/webllm-catalogue.ts`; a unit test fails
 * when they drift from the installed package.
 */
import catalogueJson from '../../models/catalogue.json';

/** web-llm quantisations offered: 4-bit weights with f16 (needs `shader-f16`) or f32 scales/activations. */
export type WebLLMQuant = 'q4f16' | 'q4f32';
/** onnx-community dtypes offered: 4-bit MatMul weights with fp16 or fp32 activations. */
export type OnnxDtype = 'q4f16' | 'q4';

/** The shape of a transformer, enough for memory estimates. */
export interface ModelArch {
  layers: number;
  hidden: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** The model's own maximum context. */
  context: number;
  tiedEmbeddings: boolean;
}

/** One web-llm build (from web-llm's prebuiltAppConfig). */
export interface WebLLMVariant {
  /** web-llm `model_id`, e.g. "Qwen2.5-0.5B-Instruct-q4f16_1-MLC". */
  modelId: string;
  /** web-llm `model`: the Hugging Face repository of the weights. */
  hub: string;
  /** File name of web-llm's `model_lib` (the compiled WebGPU kernels, a .wasm). */
  modelLib: string;
  /** web-llm `vram_required_MB`. */
  vramMB: number;
  /** Download size in MB (≈ params × bits / 8: 4.5 bits for q4f16_1, 5 for q4f32_1). */
  downloadMB: number;
}

export interface WebLLMInfo {
  /** web-llm's `overrides.context_window_size`. */
  contextWindow: number;
  /** web-llm `low_resource_required`. */
  lowResource: boolean;
  variants: Record<WebLLMQuant, WebLLMVariant>;
}

/** One ONNX file of an onnx-community repository. */
export interface OnnxVariant {
  /** Path in the repository, e.g. "onnx/model_q4.onnx". */
  file: string;
  /** Approximate download size in MB (embedding unquantised, MatMuls 4-bit). */
  downloadMB: number;
}

export interface OnnxInfo {
  /** Hugging Face repository, e.g. "onnx-community/Qwen2.5-0.5B-Instruct". */
  repo: string;
  variants: Record<OnnxDtype, OnnxVariant>;
}

export interface CatalogueEntry {
  id: string;
  name: string;
  family: string;
  backend: 'ort' | 'webllm' | 'openai';
  /** Shipped in models/ and usable offline. */
  embedded: boolean;
  /** Folder under models/ for embedded models. */
  path?: string;
  /** ONNX file inside an embedded model's folder (default onnx/model.onnx; the q4f16 twin uses onnx/model_q4f16.onnx). */
  onnxFile?: string;
  params: number;
  /** Download size in MB of the smallest build. */
  sizeMB: number;
  notes: string;
  /** Other names that find this entry (e.g. each web-llm model_id). */
  aliases?: string[];
  arch?: ModelArch;
  /** web-llm builds (backend "webllm"). */
  webllm?: WebLLMInfo;
  /** onnx-community builds (backend "ort", not embedded). */
  onnx?: OnnxInfo;
}

/** All catalogue entries, embedded first. */
export function catalogue(): CatalogueEntry[] {
  const models = (catalogueJson as { models: CatalogueEntry[] }).models;
  return [...models].sort((a, b) => Number(b.embedded) - Number(a.embedded));
}

/** Entry by id (or alias, e.g. a web-llm model_id), or an error naming the valid ids. */
export function findModel(id: string): CatalogueEntry {
  const all = catalogue();
  const m = all.find((e) => e.id === id) ?? all.find((e) => e.aliases?.includes(id));
  if (!m) throw new Error(`unknown model "${id}": run \`lab models\` to list them (embedded: ${all.filter((e) => e.embedded).map((e) => e.id).join(', ')})`);
  return m;
}
