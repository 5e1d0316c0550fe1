/**
 * Regenerates the 1B-class entries of models/catalogue.json from the installed @mlc-ai/web-llm's
 * `prebuiltAppConfig` (model ids, VRAM, model library file), so the catalogue never disagrees with
 * the web-llm version the app ships. Embedded entries are kept as they are.
 *
 *   npx tsx tools/webllm-catalogue.ts           rewrite models/catalogue.json
 *   npx tsx tools/webllm-catalogue.ts --check   exit 1 when the file is out of date
 *   npx tsx tools/webllm-catalogue.ts --urls    print the files a local mirror needs (docs/webllm-local.md)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import type { CatalogueEntry, ModelArch, OnnxDtype, WebLLMQuant, WebLLMVariant } from '../src/core/catalogue.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOGUE_PATH = join(ROOT, 'models/catalogue.json');

interface Source {
  id: string;
  name: string;
  family: string;
  params: number;
  arch: ModelArch;
  notes: string;
}

/** web-llm models: our id → the web-llm model_id stem (the quant suffix is added). */
const WEBLLM: (Source & { stem: string })[] = [
  { id: 'qwen2.5-0.5b-instruct', stem: 'Qwen2.5-0.5B-Instruct', name: 'Qwen2.5 0.5B Instruct', family: 'qwen2', params: 494_032_768, arch: { layers: 24, hidden: 896, kvHeads: 2, headDim: 64, vocab: 151_936, context: 32_768, tiedEmbeddings: true }, notes: 'Smallest 1B-class model; a good first download.' },
  { id: 'qwen2.5-1.5b-instruct', stem: 'Qwen2.5-1.5B-Instruct', name: 'Qwen2.5 1.5B Instruct', family: 'qwen2', params: 1_543_714_304, arch: { layers: 28, hidden: 1536, kvHeads: 2, headDim: 128, vocab: 151_936, context: 32_768, tiedEmbeddings: true }, notes: 'Stronger general reasoner.' },
  { id: 'qwen2.5-math-1.5b-instruct', stem: 'Qwen2.5-Math-1.5B-Instruct', name: 'Qwen2.5 Math 1.5B Instruct', family: 'qwen2', params: 1_543_714_304, arch: { layers: 28, hidden: 1536, kvHeads: 2, headDim: 128, vocab: 151_936, context: 4096, tiedEmbeddings: true }, notes: 'Math-tuned; answers in \\boxed{}.' },
  { id: 'llama-3.2-1b-instruct', stem: 'Llama-3.2-1B-Instruct', name: 'Llama 3.2 1B Instruct', family: 'llama', params: 1_235_814_400, arch: { layers: 16, hidden: 2048, kvHeads: 8, headDim: 64, vocab: 128_256, context: 131_072, tiedEmbeddings: true }, notes: 'Llama 3 chat template; the reflector of mixed-model runs.' },
  { id: 'qwen3-0.6b', stem: 'Qwen3-0.6B', name: 'Qwen3 0.6B', family: 'qwen3', params: 596_049_920, arch: { layers: 28, hidden: 1024, kvHeads: 8, headDim: 128, vocab: 151_936, context: 40_960, tiedEmbeddings: true }, notes: 'Thinking model (<think> blocks).' },
  { id: 'qwen3-1.7b', stem: 'Qwen3-1.7B', name: 'Qwen3 1.7B', family: 'qwen3', params: 1_720_574_976, arch: { layers: 28, hidden: 2048, kvHeads: 8, headDim: 128, vocab: 151_936, context: 40_960, tiedEmbeddings: true }, notes: 'Thinking model (<think> blocks); the largest in the catalogue.' },
];

/** onnx-community builds for the ort backend (scoring, batched sampling, prefix cache). */
const ONNX: (Source & { repo: string })[] = [
  { ...WEBLLM[0]!, id: 'qwen2.5-0.5b-instruct-onnx', repo: 'onnx-community/Qwen2.5-0.5B-Instruct', name: 'Qwen2.5 0.5B Instruct (ONNX)', notes: 'ort backend: scoring (DPO log-probs), batched sampling and prefix reuse.' },
  { ...WEBLLM[3]!, id: 'llama-3.2-1b-instruct-onnx', repo: 'onnx-community/Llama-3.2-1B-Instruct', name: 'Llama 3.2 1B Instruct (ONNX)', notes: 'ort backend: scoring (DPO log-probs), batched sampling and prefix reuse.' },
];

const WEBLLM_SUFFIX: Record<WebLLMQuant, string> = { q4f16: 'q4f16_1-MLC', q4f32: 'q4f32_1-MLC' };
/** Bits per weight: 4-bit values plus one scale per group of 32 (f16 → +0.5 bit, f32 → +1 bit). */
const WEBLLM_BITS: Record<WebLLMQuant, number> = { q4f16: 4.5, q4f32: 5 };
const MB = 1024 * 1024;

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** onnx-community q4 builds keep the embedding unquantised (fp32 for q4, fp16 for q4f16) and quantise every MatMul (lm_head included). */
export function onnxDownloadMB(params: number, arch: ModelArch, dtype: OnnxDtype): number {
  const embed = arch.vocab * arch.hidden;
  const matmul = params - embed + (arch.tiedEmbeddings ? embed : 0);
  const bytes = embed * (dtype === 'q4' ? 4 : 2) + (matmul * (dtype === 'q4' ? 5 : 4.5)) / 8;
  return round(bytes / MB);
}

function record(list: ModelRecord[], modelId: string): ModelRecord {
  const r = list.find((m) => m.model_id === modelId);
  if (!r) throw new Error(`@mlc-ai/web-llm's prebuiltAppConfig has no model "${modelId}": the installed version dropped it; update tools/webllm-catalogue.ts`);
  if (typeof r.vram_required_MB !== 'number') throw new Error(`prebuiltAppConfig: "${modelId}" has no vram_required_MB`);
  return r;
}

/** The 1B-class catalogue entries, built from web-llm's prebuilt model list. */
export function generatedEntries(appConfig: AppConfig): CatalogueEntry[] {
  const list = appConfig.model_list;
  const webllm = WEBLLM.map((s): CatalogueEntry => {
    const variants = Object.fromEntries(
      (Object.keys(WEBLLM_SUFFIX) as WebLLMQuant[]).map((q) => {
        const r = record(list, `${s.stem}-${WEBLLM_SUFFIX[q]}`);
        return [q, { modelId: r.model_id, hub: r.model, modelLib: r.model_lib.split('/').pop()!, vramMB: r.vram_required_MB!, downloadMB: round((s.params * WEBLLM_BITS[q]) / 8 / MB) }];
      }),
    ) as Record<WebLLMQuant, WebLLMVariant>;
    const any = record(list, variants.q4f16.modelId);
    return {
      id: s.id,
      name: s.name,
      family: s.family,
      backend: 'webllm',
      embedded: false,
      params: s.params,
      sizeMB: variants.q4f16.downloadMB,
      notes: `Browser only (WebGPU, web-llm). ${s.notes} Weights from the Hugging Face hub or a local folder (docs/webllm-local.md).`,
      aliases: [variants.q4f16.modelId, variants.q4f32.modelId],
      arch: s.arch,
      webllm: { contextWindow: Number(any.overrides?.context_window_size ?? 4096), lowResource: !!any.low_resource_required, variants },
    };
  });
  const onnx = ONNX.map((s): CatalogueEntry => {
    const q4f16 = { file: 'onnx/model_q4f16.onnx', downloadMB: onnxDownloadMB(s.params, s.arch, 'q4f16') };
    const q4 = { file: 'onnx/model_q4.onnx', downloadMB: onnxDownloadMB(s.params, s.arch, 'q4') };
    return {
      id: s.id,
      name: s.name,
      family: s.family,
      backend: 'ort',
      embedded: false,
      params: s.params,
      sizeMB: Math.min(q4f16.downloadMB, q4.downloadMB),
      notes: `Browser only (WebGPU or wasm). ${s.notes} From models/${s.id}/ or https://huggingface.co/${s.repo} when online.`,
      arch: s.arch,
      onnx: { repo: s.repo, variants: { q4f16, q4 } },
    };
  });
  return [...webllm, ...onnx];
}

/** catalogue.json with the embedded entries kept and the generated ones replaced. */
export function regenerate(current: { schema: string; models: CatalogueEntry[] }, appConfig: AppConfig): { schema: string; models: CatalogueEntry[] } {
  return { schema: current.schema, models: [...current.models.filter((m) => m.embedded), ...generatedEntries(appConfig)] };
}

/** What a local mirror of one web-llm build needs, relative to the local root: the weights repository and the model library. */
export function mirrorFiles(r: ModelRecord): { from: string; to: string }[] {
  return [
    { from: r.model, to: `webllm/${r.model_id}/resolve/main/` },
    { from: r.model_lib, to: `webllm/${r.model_id}/resolve/main/${r.model_lib.split('/').pop()}` },
  ];
}

async function main(argv: string[]): Promise<number> {
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  const current = JSON.parse(readFileSync(CATALOGUE_PATH, 'utf8')) as { schema: string; models: CatalogueEntry[] };
  if (argv.includes('--urls')) {
    for (const e of generatedEntries(prebuiltAppConfig)) {
      for (const v of Object.values(e.webllm?.variants ?? {})) {
        for (const f of mirrorFiles(record(prebuiltAppConfig.model_list, v.modelId))) console.log(`${f.to}\t${f.from}`);
      }
    }
    return 0;
  }
  const next = JSON.stringify(regenerate(current, prebuiltAppConfig), null, 2) + '\n';
  if (argv.includes('--check')) {
    if (next !== readFileSync(CATALOGUE_PATH, 'utf8')) {
      console.error('models/catalogue.json is out of date with the installed @mlc-ai/web-llm: run `npx tsx tools/webllm-catalogue.ts`');
      return 1;
    }
    return 0;
  }
  writeFileSync(CATALOGUE_PATH, next);
  console.log(`wrote ${CATALOGUE_PATH}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
