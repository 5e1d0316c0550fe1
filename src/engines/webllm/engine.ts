/**
 * The `webllm` engine: the Engine contract over a loaded web-llm MLCEngine (in the engine
 * worker). Generation goes through raw completions with the model's own chat template, so a
 * partial assistant message (MCTS prefix) is continued exactly; n samples run one after another;
 * log-probs come with up to 5 alternatives. web-llm cannot score sequences or reuse a prefix
 * cache for raw completions: `info.can` says so, and scoring stays with the ort backend.
 */
import type { Completion as WebLLMCompletion, CompletionCreateParamsBase } from '@mlc-ai/web-llm';
import { abortError, withDefaults, type ChatMessage, type Completion, type Engine, type EngineInfo, type GenerateRequest } from '../../core/engine.js';
import { MAX_TOP_LOGPROBS, StreamCollector, buildCompletionParams, continuationPrompt, mapCompletion, type MapContext, type Request } from './request.js';

/** The part of web-llm's MLCEngine this engine uses (WebWorkerMLCEngine has it too; tests pass a fake). */
export interface WebLLMBackend {
  completions: { create(request: CompletionCreateParamsBase): Promise<AsyncIterable<WebLLMCompletion> | WebLLMCompletion> };
  interruptGenerate(): void | Promise<void>;
  unload(): Promise<void>;
}

export interface WebLLMEngineOptions {
  /** Catalogue id. */
  id: string;
  /** web-llm model_id of the loaded build. */
  model: string;
  backend: WebLLMBackend;
  /** The model's chat template with the generation prompt (ChatTokenizer.prompt). */
  template: (messages: ChatMessage[]) => string;
  /** Token ids of plain text (no special tokens added). */
  encode: (text: string) => number[];
  /** Token text (as web-llm reports it) → id, -1 when unknown. */
  ids: (token: string) => number;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<WebLLMCompletion> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

export class WebLLMEngine implements Engine {
  readonly info: EngineInfo;

  constructor(private readonly opts: WebLLMEngineOptions) {
    this.info = { id: opts.id, backend: 'webllm', model: opts.model, device: 'webgpu', can: { score: false, topLogprobs: MAX_TOP_LOGPROBS, batch: false, prefixCache: false } };
  }

  /** The exact prompt text a request sends (chat template + prefix). */
  prompt(req: Pick<GenerateRequest, 'messages' | 'prefix'>): string {
    return continuationPrompt(this.opts.template, req.messages, req.prefix);
  }

  async generate(request: GenerateRequest, signal?: AbortSignal): Promise<Completion[]> {
    const req = withDefaults(request);
    const prompt = this.prompt(req);
    const out: Completion[] = [];
    for (let i = 0; i < req.n; i++) out.push(await this.one(req, prompt, req.firstIndex + i, signal));
    return out;
  }

  private async one(req: Request, prompt: string, index: number, signal?: AbortSignal): Promise<Completion> {
    if (signal?.aborted) throw abortError();
    const params = buildCompletionParams(req, prompt, index, { stream: !!req.onToken });
    const ctx: MapContext = { index, stops: req.stop, topLogprobs: req.topLogprobs, ids: this.opts.ids };
    const onAbort = () => void this.opts.backend.interruptGenerate();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.opts.backend.completions.create(params);
      let c: Completion;
      if (isAsyncIterable(res)) {
        const col = new StreamCollector(ctx, req.onToken);
        for await (const chunk of res) col.add(chunk);
        c = col.result();
      } else c = mapCompletion(res, ctx);
      if (signal?.aborted || c.finishReason === 'abort') throw abortError();
      if (c.promptTokens === 0) c.promptTokens = this.opts.encode(prompt).length;
      // No log-probs came back (should not happen: they are always asked for): ids from the text.
      if (c.tokens.length === 0 && c.text) c.tokens = this.opts.encode(c.text);
      return c;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async tokenize(text: string): Promise<number[]> {
    return this.opts.encode(text);
  }

  async dispose(): Promise<void> {
    await this.opts.backend.unload();
  }
}
