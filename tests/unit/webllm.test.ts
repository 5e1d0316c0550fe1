/**
 * The web-llm backend without a GPU: catalogue vs the installed web-llm, build choice per adapter,
 * memory estimates, request building with the models' own chat templates (real tokenizer files of
 * tiny-a = ChatML and tiny-b = Llama 3), response mapping from a web-llm-shaped response, error
 * advice, and the preflight that makes an offline load fail fast.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prebuiltAppConfig, type Completion as WebLLMCompletion, type CompletionCreateParamsBase } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { catalogue, findModel, type CatalogueEntry } from '../../src/core/catalogue.js';
import { withDefaults, type TokenEvent } from '../../src/core/engine.js';
import { MODELS_DIR } from '../../src/engines/ort/node.js';
import { ChatTokenizer } from '../../src/engines/ort/tokenizer.js';
import { preflight } from '../../src/engines/preflight.js';
import { cleanModelUrl, resolveBuild } from '../../src/engines/webllm/app-config.js';
import { chooseOnnxDtype, chooseQuant, chosenBuild, onnxBaseUrl, webllmEntries, webllmModelUrl } from '../../src/engines/webllm/catalogue.js';
import { WebLLMEngine, type WebLLMBackend } from '../../src/engines/webllm/engine.js';
import { classifyError, explainLoadError, ModelLoadError } from '../../src/engines/webllm/errors.js';
import { loadWebLLMEngine } from '../../src/engines/webllm/load.js';
import { combinedEstimate, memoryEstimate, type AdapterLimits } from '../../src/engines/webllm/memory.js';
import { buildCompletionParams, continuationPrompt, finishOf, mapCompletion, progressOf, sampleSeed, StreamCollector } from '../../src/engines/webllm/request.js';
import { specFromDetail } from '../../src/engines/webllm/spec.js';
import { TokenIds } from '../../src/engines/webllm/tokens.js';
import { regenerate } from '../../tools/webllm-catalogue.js';

const GB = 1024 * 1024 * 1024;
const BIG: AdapterLimits = { available: true, features: ['shader-f16'], maxBufferSize: 4 * GB, maxStorageBufferBindingSize: 2 * GB, deviceMemoryGB: 8, vendor: 'nvidia', architecture: 'ampere' };

function tiny(id: 'tiny-a' | 'tiny-b') {
  const read = (f: string) => JSON.parse(readFileSync(join(MODELS_DIR, id, f), 'utf8')) as Record<string, unknown>;
  const tokenizerJson = read('tokenizer.json');
  return { tok: new ChatTokenizer(tokenizerJson, read('tokenizer_config.json'), read('generation_config.json')), ids: new TokenIds(tokenizerJson), tokenizerJson };
}

/** A web-llm completions response as MLCEngine.completions.create returns it (non-streaming). */
function fakeResponse(text: string, tokens: string[], finish: 'stop' | 'length' | 'abort', alternatives: string[] = ['a', 'b', 'c', 'd', 'e'], promptTokens = 7): WebLLMCompletion {
  return {
    id: 'cmpl-1',
    object: 'text_completion',
    created: 0,
    model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    choices: [
      {
        index: 0,
        text,
        finish_reason: finish,
        logprobs: { content: tokens.map((t, i) => ({ token: t, bytes: Array.from(new TextEncoder().encode(t)),
          logprob: -0.1 * (i + 1), top_logprobs: alternatives.map((a, j) => ({ token: a, bytes: null,
          logprob: -0.5 * (j + 1) })) })) },
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length, extra: {} as never },
  };
}

/** A backend that records requests and answers from a script. */
function fakeBackend(answer: (req: CompletionCreateParamsBase, call: number) => WebLLMCompletion | AsyncIterable<WebLLMCompletion> | Promise<WebLLMCompletion>) {
  const requests: CompletionCreateParamsBase[] = [];
  let interrupts = 0;
  let unloaded = false;
  const backend: WebLLMBackend = {
    completions: { create: async (req) => answer(req, requests.push(req) - 1) },
    interruptGenerate: () => void interrupts++,
    unload: async () => void (unloaded = true),
  };
  return { backend, requests, interrupts: () => interrupts, unloaded: () => unloaded };
}

describe('the 1B-class catalogue', () => {
  it('agrees with the installed web-llm prebuiltAppConfig (regenerate with tools/webllm-catalogue.ts)', () => {
    const file = JSON.parse(readFileSync(join(MODELS_DIR, 'catalogue.json'), 'utf8'));
    expect(regenerate(file, prebuiltAppConfig)).toEqual(file);
  });

  it('lists the six web-llm models with a q4f16 and a q4f32 build each, and the two ONNX builds', () => {
    expect(webllmEntries().map((e) => e.id)).toEqual(['qwen2.5-0.5b-instruct', 'qwen2.5-1.5b-instruct', 'qwen2.5-math-1.5b-instruct', 'llama-3.2-1b-instruct', 'qwen3-0.6b', 'qwen3-1.7b']);
    for (const e of webllmEntries()) {
      for (const q of ['q4f16', 'q4f32'] as const) {
        const v = e.webllm!.variants[q];
        const rec = prebuiltAppConfig.model_list.find((m) => m.model_id === v.modelId)!;
        expect(v.modelId).toMatch(q === 'q4f16' ? /-q4f16_1-MLC$/ : /-q4f32_1-MLC$/);
        expect(v.vramMB).toBe(rec.vram_required_MB);
        expect(rec.model_lib.endsWith(`/${v.modelLib}`)).toBe(true);
      }
    }
    const onnx = catalogue().filter((e) => e.onnx);
    expect(onnx.map((e) => e.onnx!.repo)).toEqual(['onnx-community/Qwen2.5-0.5B-Instruct', 'onnx-community/Llama-3.2-1B-Instruct']);
    expect(onnx.every((e) => e.onnx!.variants.q4.file === 'onnx/model_q4.onnx' && e.onnx!.variants.q4f16.file === 'onnx/model_q4f16.onnx')).toBe(true);
  });

  it('keeps the embedded models first and finds a web-llm model by its model_id', () => {
    expect(catalogue().slice(0, 2).map((e) => e.id)).toEqual(['tiny-a', 'tiny-b']);
    expect(findModel('Llama-3.2-1B-Instruct-q4f32_1-MLC').id).toBe('llama-3.2-1b-instruct');
    expect(findModel('Qwen3-0.6B-q4f16_1-MLC').id).toBe('qwen3-0.6b');
    expect(() => findModel('nope')).toThrow(/unknown model "nope".*tiny-a, tiny-b/);
  });

  it('points builds at the hub or at a local folder with the hub path shape', () => {
    const e = findModel('qwen2.5-0.5b-instruct');
    expect(webllmModelUrl(e, 'q4f16', { kind: 'hub' })).toBe('https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC/resolve/main/');
    expect(webllmModelUrl(e, 'q4f32', { kind: 'local', root: '/models/' }, 'http://127.0.0.1:5173/lab/')).toBe('http://127.0.0.1:5173/models/webllm/Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/');
    const o = findModel('llama-3.2-1b-instruct-onnx');
    expect(onnxBaseUrl(o, { kind: 'hub' })).toBe('https://huggingface.co/onnx-community/Llama-3.2-1B-Instruct/resolve/main/');
    expect(onnxBaseUrl(o, { kind: 'local', root: 'http://school.lan/weights' })).toBe('http://school.lan/weights/llama-3.2-1b-instruct-onnx/');
  });

  it("resolves web-llm's record: the prebuilt model library for the hub, the weights folder locally, shader-f16 required by q4f16", () => {
    const e = findModel('llama-3.2-1b-instruct');
    const hub = resolveBuild(e, { quant: 'q4f16' }, prebuiltAppConfig.model_list, 'http://127.0.0.1:5173/');
    const pre = prebuiltAppConfig.model_list.find((m) => m.model_id === 'Llama-3.2-1B-Instruct-q4f16_1-MLC')!;
    expect(hub.hub).toBe(true);
    expect(hub.libUrl).toBe(pre.model_lib);
    expect(hub.record.required_features).toEqual(['shader-f16']);
    expect(hub.appConfig.cacheBackend).toBe('cache');
    const local = resolveBuild(e, { quant: 'q4f32', baseUrl: webllmModelUrl(e, 'q4f32', { kind: 'local', root: '/models/' }), cacheBackend: 'indexeddb' }, prebuiltAppConfig.model_list, 'http://127.0.0.1:5173/');
    expect(local.hub).toBe(false);
    expect(local.record.model).toBe('http://127.0.0.1:5173/models/webllm/Llama-3.2-1B-Instruct-q4f32_1-MLC/resolve/main/');
    expect(local.libUrl).toBe(`${local.record.model}Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm`);
    expect(local.record.required_features).toBeUndefined();
    expect(local.appConfig).toMatchObject({ cacheBackend: 'indexeddb', model_list: [{ model_id: 'Llama-3.2-1B-Instruct-q4f32_1-MLC' }] });
    // The same normalisation web-llm applies, so our cache keys and preflight URLs are its URLs.
    expect(cleanModelUrl('https://huggingface.co/mlc-ai/X')).toBe('https://huggingface.co/mlc-ai/X/resolve/main/');
    expect(cleanModelUrl('http://h/models/webllm/X/resolve/main')).toBe('http://h/models/webllm/X/resolve/main/');
  });
});

describe('feature detection and build choice', () => {
  it('chooses q4f16 with shader-f16 and q4f32 without', () => {
    expect(chooseQuant(['shader-f16', 'subgroups'])).toBe('q4f16');
    expect(chooseQuant(new Set(['subgroups']))).toBe('q4f32');
    expect(chooseQuant([])).toBe('q4f32');
    expect(chosenBuild(findModel('qwen3-0.6b'), ['shader-f16'])).toBe('q4f16');
    expect(chosenBuild(findModel('tiny-a'), ['shader-f16'])).toBe('fp32');
  });

  it('chooses the q4 ONNX file until the ort runner keeps an fp16 KV cache', () => {
    expect(chooseOnnxDtype(['shader-f16'])).toBe('q4');
    expect(chooseOnnxDtype(['shader-f16'], { fp16Kv: true })).toBe('q4f16');
    expect(chooseOnnxDtype([], { fp16Kv: true })).toBe('q4');
  });
});

describe('memory estimates', () => {
  const qwen05 = findModel('qwen2.5-0.5b-instruct');
  const qwen17 = findModel('qwen3-1.7b');

  it("uses web-llm's VRAM of the build chosen for the adapter", () => {
    const f16 = memoryEstimate(qwen05, BIG);
    expect(f16).toMatchObject({ quant: 'q4f16', needMB: Math.round(qwen05.webllm!.variants.q4f16.vramMB), fits: true, level: 'ok', reasons: [] });
    expect(f16.warning).toBeUndefined();
    const f32 = memoryEstimate(qwen05, { ...BIG, features: [] });
    expect(f32).toMatchObject({ quant: 'q4f32', needMB: Math.round(qwen05.webllm!.variants.q4f32.vramMB), fits: true });
    expect(memoryEstimate(qwen05, { ...BIG, features: [] }, { quant: 'q4f16' })).toMatchObject({ fits: false, level: 'block' });
  });

  it('blocks without WebGPU, over the buffer limits and over the device memory, with the fix named', () => {
    expect(memoryEstimate(qwen05, { available: false, features: [] }).warning).toMatch(/needs WebGPU/);
    const binding = memoryEstimate(qwen17, { ...BIG, maxStorageBufferBindingSize: 64 * 1024 * 1024 });
    expect(binding).toMatchObject({ fits: false, level: 'block' });
    expect(binding.warning).toMatch(/maxStorageBufferBindingSize.*smaller model/);
    expect(memoryEstimate(qwen17, { ...BIG, maxStorageBufferBindingSize: undefined, maxBufferSize: 64 * 1024 * 1024 }).warning).toMatch(/maxBufferSize/);
    const small = memoryEstimate(qwen17, { ...BIG, deviceMemoryGB: 1 });
    expect(small).toMatchObject({ fits: false, level: 'block' });
    expect(small.warning).toMatch(/reports 1 GB.*smaller model/);
    const half = memoryEstimate(findModel('qwen2.5-1.5b-instruct'), { ...BIG, deviceMemoryGB: 2 });
    expect(half).toMatchObject({ fits: true, level: 'warn' });
    expect(half.warning).toMatch(/more than half/);
  });

  it('warns on a software adapter and sizes ONNX builds with their fp32 embedding', () => {
    expect(memoryEstimate(qwen05, { ...BIG, vendor: 'google', architecture: 'swiftshader' }).warning).toMatch(/SwiftShader/);
    const llama = findModel('llama-3.2-1b-instruct-onnx');
    const est = memoryEstimate(llama, BIG);
    expect(est.quant).toBe('q4');
    expect(est.largestBufferMB).toBe(Math.round((128256 * 2048 * 4) / 2 ** 20));
    expect(est.needMB).toBeGreaterThan(llama.onnx!.variants.q4.downloadMB);
    expect(memoryEstimate(llama, { ...BIG, maxStorageBufferBindingSize: 512 * 2 ** 20 }).fits).toBe(false);
    expect(memoryEstimate(findModel('tiny-a'), BIG)).toMatchObject({ quant: 'fp32', fits: true, level: 'ok' });
  });

  it('adds up several models against the device budget', () => {
    const a = memoryEstimate(qwen17, BIG);
    const b = memoryEstimate(findModel('llama-3.2-1b-instruct'), BIG);
    expect(combinedEstimate([a], { ...BIG, deviceMemoryGB: 2 }).warning).toBeUndefined();
    const two = combinedEstimate([a, b], { ...BIG, deviceMemoryGB: 2 });
    expect(two.fits).toBe(false);
    expect(two.needMB).toBe(a.needMB + b.needMB);
    expect(two.warning).toMatch(/qwen3-1\.7b ≈\d+ MB \+ llama-3\.2-1b-instruct ≈\d+ MB.*unload a model/);
    expect(combinedEstimate([a, b], { ...BIG, deviceMemoryGB: 4 }).warning).toMatch(/more than half/);
    expect(combinedEstimate([a, b], BIG)).toEqual({ needMB: a.needMB + b.needMB, fits: true });
  });
});

describe('request building with the chat template', () => {
  const messages = [{ role: 'user' as const, content: "How many r's are in strawberry?" }];
  const prefix = '<Thinking>Count the letters';

  it('continues a ChatML (Qwen) assistant turn: template with generation prompt, then the prefix', () => {
    const { tok } = tiny('tiny-a');
    const prompt = continuationPrompt((m) => tok.prompt(m), messages, prefix);
    expect(prompt).toBe(`<|im_start|>user\nHow many r's are in strawberry?<|im_end|>\n<|im_start|>assistant\n${prefix}`);
    // Tokens: the template's ids followed by the prefix's ids (the prefix continues the open assistant turn).
    expect(tok.encode(prompt)).toEqual([...tok.encode(tok.prompt(messages)), ...tok.encode(prefix)]);
  });

  it('continues a Llama 3 assistant turn the same way', () => {
    const { tok } = tiny('tiny-b');
    const prompt = continuationPrompt((m) => tok.prompt(m), messages, prefix);
    expect(prompt).toBe(`<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHow many r's are in strawberry?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n${prefix}`);
    expect(tok.encode(prompt)).toEqual([...tok.encode(tok.prompt(messages)), ...tok.encode(prefix)]);
  });

  it('builds a web-llm completions request: one sample per request, seeded per index, log-probs with 1..5 alternatives, neutral penalties', () => {
    const req = withDefaults({ messages, prefix, n: 3, seed: 7, temperature: 0.8, topP: 0.95, maxTokens: 64, stop: ['</Thinking>'], topLogprobs: 5 });
    const p = buildCompletionParams(req, 'PROMPT', 2);
    expect(p).toEqual({ prompt: 'PROMPT', n: 1, temperature: 0.8, top_p: 0.95, seed: sampleSeed(7, 2), max_tokens: 64, stop: ['</Thinking>'], logprobs: true, top_logprobs: 5, repetition_penalty: 1, frequency_penalty: 0, presence_penalty: 0 });
    for (const f of ['suffix', 'user', 'best_of', 'stream_options', 'stream']) expect(f in p).toBe(false);
    expect(buildCompletionParams(withDefaults({ messages, topLogprobs: 0 }), 'P', 0)).toMatchObject({ logprobs: true, top_logprobs: 1 });
    expect(buildCompletionParams(withDefaults({ messages, topLogprobs: 20 }), 'P', 0).top_logprobs).toBe(5);
    expect('stop' in buildCompletionParams(withDefaults({ messages }), 'P', 0)).toBe(false);
    expect(buildCompletionParams(withDefaults({ messages }), 'P', 0, { stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(() => buildCompletionParams(withDefaults({ messages, topK: 40 }), 'P', 0)).toThrow(/no top-k.*topP/);
    const seeds = [0, 1, 2, 3].map((i) => sampleSeed(7, i));
    expect(new Set(seeds).size).toBe(4);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0x7fffffff)).toBe(true);
  });

  it('runs n samples as n requests, so sample i drawn alone (firstIndex i) is the same request', async () => {
    const { tok, ids } = tiny('tiny-a');
    const fake = fakeBackend((req) => fakeResponse(`seed ${req.seed}`, ['seed', ' ', String(req.seed)], 'length'));
    const engine = new WebLLMEngine({ id: 'qwen2.5-0.5b-instruct', model: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC', backend: fake.backend, template: (m) => tok.prompt(m), encode: (t) => tok.encode(t), ids: (t) => ids.id(t) });
    expect(engine.info).toMatchObject({ backend: 'webllm', device: 'webgpu', can: { score: false, topLogprobs: 5, batch: false, prefixCache: false } });
    const batch = await engine.generate({ messages, prefix, n: 3, seed: 11 });
    const alone = await engine.generate({ messages, prefix, n: 1, seed: 11, firstIndex: 1 });
    expect(batch.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(fake.requests.map((r) => r.seed)).toEqual([sampleSeed(11, 0), sampleSeed(11, 1), sampleSeed(11, 2), sampleSeed(11, 1)]);
    expect(alone[0]).toEqual({ ...batch[1]!, index: 1 });
    expect(fake.requests.every((r) => r.prompt === engine.prompt({ messages, prefix }) && r.n === 1)).toBe(true);
    await engine.dispose();
    expect(fake.unloaded()).toBe(true);
  });

  it('streams tokens when onToken is given and interrupts web-llm on abort', async () => {
    const { tok, ids } = tiny('tiny-b');
    const chunk = (text: string, token: string | null, finish: 'stop' | null): WebLLMCompletion => ({
      id: 'c', object: 'text_completion', created: 0, model: 'm',
      choices: [{ index: 0, text, finish_reason: finish, logprobs: token === null ? null : { content: [{ token,
        bytes: null, logprob: -0.25, top_logprobs: [{ token, bytes: null, logprob: -0.25 }] }] } }],
    });
    const fake = fakeBackend(() =>
      (async function* () {
        yield chunk('<Answer>', '<Answer>', null);
        yield chunk('4', '4', null);
        yield chunk('', null, 'stop');
      })(),
    );
    const engine = new WebLLMEngine({ id: 'llama-3.2-1b-instruct', model: 'm', backend: fake.backend, template: (m) => tok.prompt(m), encode: (t) => tok.encode(t), ids: (t) => ids.id(t) });
    const events: TokenEvent[] = [];
    const [c] = await engine.generate({ messages, n: 1, onToken: (e) => events.push(e) });
    expect(fake.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(events.map((e) => e.text)).toEqual(['<Answer>', '<Answer>4']);
    expect(c).toMatchObject({ index: 0, text: '<Answer>4', finishReason: 'eos' });
    expect(c!.tokens).toEqual(tok.encode('<Answer>4'));
    expect(c!.promptTokens).toBe(tok.encode(tok.prompt(messages)).length);

    const ctl = new AbortController();
    let release: (v: WebLLMCompletion) => void = () => undefined;
    const slow = fakeBackend(() => new Promise<WebLLMCompletion>((r) => (release = r)));
    const e2 = new WebLLMEngine({ id: 'x', model: 'm', backend: { ...slow.backend, interruptGenerate: () => release(fakeResponse('partial', ['partial'], 'abort')) }, template: (m) => tok.prompt(m), encode: (t) => tok.encode(t), ids: (t) => ids.id(t) });
    const pending = e2.generate({ messages, n: 2 }, ctl.signal);
    await new Promise((r) => setTimeout(r, 10));
    ctl.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(slow.requests).toHaveLength(1);
  });
});

describe('response mapping', () => {
  it('maps token texts back to ids with the real tokenizers (every byte-level and special token of tiny-a and tiny-b)', () => {
    for (const id of ['tiny-a', 'tiny-b'] as const) {
      const { tok, ids } = tiny(id);
      const vocabSize = Object.keys((tiny(id).tokenizerJson.model as { vocab: object }).vocab).length;
      let exact = 0;
      for (let i = 0; i < vocabSize + 20; i++) {
        const text = tok.tokenText(i);
        if (text === '' || text.includes('\uFFFD')) continue;
        expect(ids.id(text), `${id} token ${i} ${JSON.stringify(text)}`).toBe(i);
        exact++;
      }
      expect(exact).toBeGreaterThan(128);
      expect(ids.id('\uFFFD')).toBe(-1);
    }
  });

  it('turns a web-llm response into a Completion: ids, log-probs, top-k alternatives, finish reason, prompt tokens', () => {
    const { tok, ids } = tiny('tiny-a');
    const text = 'There are 3.';
    const pieces = tok.encode(text).map((i) => tok.tokenText(i));
    const res = fakeResponse(text, [...pieces, '\n\n'], 'stop', ['3', '2', ' three', 'x', 'y'], 12);
    const c = mapCompletion(res, { index: 4, stops: ['\n\n'], topLogprobs: 3, ids: (t) => ids.id(t) });
    expect(c.index).toBe(4);
    expect(c.text).toBe(text);
    expect(c.tokens.slice(0, -1)).toEqual(tok.encode(text));
    expect(c.logprobs).toHaveLength(pieces.length + 1);
    expect(c.logprobs[0]).toMatchObject({ token: pieces[0], logprob: -0.1 });
    expect(c.logprobs[0]!.top.map((a) => a.token)).toEqual(['3', '2', ' three']);
    expect(c.logprobs[0]!.top[0]).toEqual({ id: ids.id('3'), token: '3', logprob: -0.5 });
    expect(c).toMatchObject({ finishReason: 'stop', stop: '\n\n', promptTokens: 12 });
    expect(mapCompletion(fakeResponse('abc', ['abc'], 'length'), { index: 0, stops: [], topLogprobs: 0, ids: () => -1 })).toMatchObject({ finishReason: 'length', tokens: [-1] });
    expect(mapCompletion(fakeResponse('abc', ['abc'], 'length'), { index: 0, stops: [], topLogprobs: 0, ids: () => -1 }).logprobs[0]!.top).toEqual([]);
    expect(() => mapCompletion({ ...res, choices: [] }, { index: 0, stops: [], topLogprobs: 0, ids: () => -1 })).toThrow(/without a choice/);
  });

  it('tells a stop string from the end-of-sequence token', () => {
    const tok = (s: string) => ({ id: 0, token: s, logprob: 0, top: [] });
    expect(finishOf('stop', 'ab', [tok('a'), tok('b'), tok('<|im_end|>')], ['</Thinking>'])).toEqual({ finishReason: 'eos' });
    expect(finishOf('stop', 'ab', [tok('a'), tok('b'), tok('</Think'), tok('ing>')], ['</Thinking>', '\n'])).toEqual({ finishReason: 'stop', stop: '</Thinking>' });
    expect(finishOf('stop', 'ab', [tok('a'), tok('b')], [])).toEqual({ finishReason: 'eos' });
    expect(finishOf('length', 'ab', [], ['x'])).toEqual({ finishReason: 'length' });
    expect(finishOf('abort', 'ab', [], [])).toEqual({ finishReason: 'abort' });
  });

  it('collects a stream and maps init progress to download / init phases', () => {
    const seen: string[] = [];
    const col = new StreamCollector({ index: 2, stops: [], topLogprobs: 1, ids: () => 5 }, (e) => seen.push(`${e.index}:${e.token.token}`));
    col.add(fakeResponse('Hi', ['Hi'], 'stop'));
    expect(col.result()).toMatchObject({ index: 2, text: 'Hi', tokens: [5], finishReason: 'eos' });
    expect(seen).toEqual(['2:Hi']);
    expect(progressOf({ progress: 0.25, timeElapsed: 3, text: 'Fetching param cache[3/24]: 100MB fetched. 25% completed, 3 secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.' }, 'q')).toEqual({ phase: 'download', file: 'q', loaded: 100 * 2 ** 20, total: 400 * 2 ** 20 });
    expect(progressOf({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' }, 'q')).toEqual({ phase: 'download', file: 'q' });
    expect(progressOf({ progress: 0.5, timeElapsed: 1, text: 'Loading model from cache[1/2]: 50MB loaded. 50% completed, 1 secs elapsed.' }, 'q')).toMatchObject({ phase: 'init', loaded: 50 * 2 ** 20 });
    expect(progressOf({ progress: 0.9, timeElapsed: 1, text: 'Loading GPU shader modules[9/10]: 90% completed' }, 'q')).toEqual({ phase: 'init' });
  });
});

describe('errors name the fix', () => {
  const ctx = { model: 'qwen3-1.7b (q4f16)', url: 'https://huggingface.co/mlc-ai/Qwen3-1.7B-q4f16_1-MLC/resolve/main/', downloadMB: 923, needMB: 2037, smaller: 'qwen2.5-0.5b-instruct' };

  it('quota → free space or a smaller model', () => {
    const e = explainLoadError(Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' }), ctx);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect(e.message).toMatch(/not enough browser storage.*≈923 MB.*free space.*deleting cached models.*smaller model \(e\.g\. qwen2\.5-0\.5b-instruct\)/);
  });

  it("device lost → a smaller model (web-llm's DeviceLostError and a raw 'device lost')", () => {
    const webllmMsg = 'The WebGPU device was lost while loading the model. This issue often occurs due to running out of memory (OOM).';
    for (const err of [Object.assign(new Error(webllmMsg), { name: 'DeviceLostError' }), new Error('GPU device lost: reason unknown')]) {
      const e = explainLoadError(err, ctx);
      expect((e as ModelLoadError).kind).toBe('device-lost');
      expect(e.message).toMatch(/GPU ran out of memory.*≈2037 MB.*choose a smaller model \(e\.g\. qwen2\.5-0\.5b-instruct\)/);
    }
  });

  it('network failure → offline advice naming the host; shader-f16 → q4f32; AbortError passes through', () => {
    expect(explainLoadError(new TypeError('Failed to fetch'), ctx).message).toMatch(/^cannot reach huggingface\.co: you are offline or the hub is blocked; serve the weights from a local folder \(docs\/webllm-local\.md\) or use the embedded tiny models/);
    expect(explainLoadError(Object.assign(new Error('This model requires WebGPU extension shader-f16'), { name: 'ShaderF16SupportError' }), ctx).message).toMatch(/load the q4f32 build/);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(explainLoadError(abort, ctx)).toBe(abort);
    expect(classifyError(new Error('something else'))).toBe('other');
    expect(explainLoadError(new Error('weird'), ctx).message).toBe('could not load qwen3-1.7b (q4f16): weird');
  });
});

describe('offline: loading a hub model fails fast with a clear message', () => {
  const OFFLINE = /cannot reach huggingface\.co: you are offline or the hub is blocked; serve the weights from a local folder \(docs\/webllm-local\.md\) or use the embedded tiny models/;

  it('preflight: a refused fetch, a fetch that never answers (timeout), a 404 and a real refused connection', async () => {
    const url = 'https://huggingface.co/mlc-ai/Qwen3-0.6B-q4f16_1-MLC/resolve/main/mlc-chat-config.json';
    await expect(preflight(url, { fetch: async () => Promise.reject(new TypeError('Failed to fetch')) })).rejects.toThrow(OFFLINE);
    const t0 = Date.now();
    const hang: typeof fetch = (_u, init) => new Promise((_r, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    await expect(preflight(url, { fetch: hang, timeoutMs: 300 })).rejects.toThrow(/cannot reach huggingface\.co.*no answer within 0\.3 s/);
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(preflight('http://127.0.0.1:5173/models/webllm/x/resolve/main/mlc-chat-config.json', { fetch: async () => new Response('no', { status: 404 }), what: 'mlc-chat-config.json of x', layoutHint: 'see docs/webllm-local.md' })).rejects.toThrow(/mlc-chat-config\.json of x is missing: .* HTTP 404; see docs\/webllm-local\.md/);
    await expect(preflight(url, { fetch: async () => new Response('{}', { status: 200 }) })).resolves.toBeUndefined();
    // The real fetch against a closed port: a genuine network failure.
    await expect(preflight('http://127.0.0.1:9/x/mlc-chat-config.json', { timeoutMs: 3000 })).rejects.toThrow(/cannot reach 127\.0\.0\.1:9: you are offline/);
  });

  it('loadWebLLMEngine with the real web-llm package stops at the preflight within seconds', async () => {
    let created = false;
    const real = await import('@mlc-ai/web-llm');
    const webllm = new Proxy(real, { get: (t, k) => (k === 'CreateMLCEngine' ? () => ((created = true), Promise.reject(new Error('must not be reached'))) : Reflect.get(t, k)) });
    const t0 = Date.now();
    const offlineFetch: typeof fetch = async () => Promise.reject(new TypeError('fetch failed'));
    await expect(loadWebLLMEngine({ backend: 'webllm', id: 'qwen2.5-0.5b-instruct' }, undefined, { webllm, fetch: offlineFetch, adapterFeatures: async () => ['shader-f16'] })).rejects.toThrow(OFFLINE);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(created).toBe(false);
    // Without WebGPU it says so before touching the network.
    await expect(loadWebLLMEngine({ backend: 'webllm', id: 'qwen3-0.6b' }, undefined, { webllm, fetch: offlineFetch, adapterFeatures: async () => null })).rejects.toThrow(/needs WebGPU/);
    await expect(loadWebLLMEngine({ backend: 'webllm', id: 'qwen3-0.6b', quant: 'q4f16' }, undefined, { webllm, fetch: offlineFetch, adapterFeatures: async () => [] })).rejects.toThrow(/shader-f16.*q4f32/);
    await expect(loadWebLLMEngine({ backend: 'webllm', id: 'tiny-a' }, undefined, { webllm })).rejects.toThrow(/not a web-llm model/);
  });
});

describe('the load-model event becomes a worker spec', () => {
  it('maps web-llm and ONNX details', () => {
    const est = memoryEstimate(findModel('qwen3-0.6b') as CatalogueEntry, BIG);
    expect(specFromDetail({ id: 'qwen3-0.6b', backend: 'webllm', quant: 'q4f16', baseUrl: 'https://huggingface.co/mlc-ai/Qwen3-0.6B-q4f16_1-MLC/resolve/main/', embedded: false, cacheBackend: 'opfs', estimate: est }, 'wasm')).toEqual({ backend: 'webllm', id: 'qwen3-0.6b', quant: 'q4f16', baseUrl: 'https://huggingface.co/mlc-ai/Qwen3-0.6B-q4f16_1-MLC/resolve/main/', cacheBackend: 'opfs' });
    expect(specFromDetail({ id: 'qwen2.5-0.5b-instruct-onnx', backend: 'ort', quant: 'q4', baseUrl: '/models/qwen2.5-0.5b-instruct-onnx/', onnxFile: 'onnx/model_q4.onnx', embedded: false, cacheBackend: 'cache', estimate: est }, 'webgpu')).toEqual({ backend: 'ort', id: 'qwen2.5-0.5b-instruct-onnx', baseUrl: '/models/qwen2.5-0.5b-instruct-onnx/', device: 'webgpu', onnxFile: 'onnx/model_q4.onnx' });
  });
});
