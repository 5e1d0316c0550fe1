/**
 * Engine choice for `lab` subcommands: `--engine ort` (default: an embedded model in-process) or
 * `--engine openai --base-url URL --model NAME` (any OpenAI-compatible server). Spread
 * ENGINE_FLAGS into the command's parse() options, append ENGINE_HELP to its help, and call
 * loadEngineFromFlags() where it called loadNodeEngine(). The API key comes from the
 * OPENAI_API_KEY environment variable only (a flag would leak into shell history and `ps`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findModel } from '../core/catalogue.js';
import type { ChatMessage, Engine } from '../core/engine.js';
import { num, UsageError } from './args.js';
import { loadNodeEngine, MODELS_DIR } from '../engines/ort/node.js';
import { ChatTokenizer } from '../engines/ort/tokenizer.js';
import { OpenAIEngine } from '../engines/openai/engine.js';

/** parse() options for the engine flags. */
export const ENGINE_FLAGS = {
  engine: { type: 'string' },
  'base-url': { type: 'string' },
  'chat-template': { type: 'string' },
  timeout: { type: 'string' },
  concurrency: { type: 'string' },
} as const;

/** Help lines for the engine flags. */
export const ENGINE_HELP = `  --engine ort|openai  ort: embedded model in-process (default); openai: an OpenAI-compatible
                       server (lab serve, vLLM, llama.cpp server, Ollama); --model is then its model name
  --base-url URL       server of --engine openai, e.g. http://127.0.0.1:8000/v1 (key: $OPENAI_API_KEY)
  --chat-template M    chat template of the served model, from an embedded model id or a folder with
                       tokenizer.json + tokenizer_config.json (needed for MCTS prefixes and scoring)
  --timeout MS         per-request timeout of --engine openai (default 60000)
  --concurrency N      requests in flight to the server (default 4)`;

/**
 * The engine for `model` as the flags say. For --engine openai the server is probed first, so an
 * unreachable server or an unknown model fails here with one line naming the fix. `needs` names
 * what the command will use: `prefix` (MCTS continuations) and `score` require --chat-template.
 */
export async function loadEngineFromFlags(command: string, v: Record<string, string | boolean | undefined>, model: string, needs: { prefix?: boolean; score?: boolean } = {}): Promise<Engine> {
  const kind = v.engine ?? 'ort';
  if (kind !== 'ort' && kind !== 'openai') throw new UsageError(`lab ${command}: --engine must be ort or openai, got "${String(kind)}"`);
  if (kind === 'ort') {
    for (const f of ['base-url', 'chat-template', 'timeout', 'concurrency']) if (v[f] !== undefined) throw new UsageError(`lab ${command}: --${f} needs --engine openai`);
    return loadNodeEngine(model);
  }
  if (typeof v['base-url'] !== 'string') throw new UsageError(`lab ${command}: --engine openai needs --base-url, e.g. --base-url http://127.0.0.1:8000/v1 (start one with \`lab serve --model tiny-a\`)`);
  if ((needs.prefix || needs.score) && typeof v['chat-template'] !== 'string')
    throw new UsageError(`lab ${command}: --engine openai needs --chat-template here (${needs.prefix ? 'search continues partial assistant messages' : 'scoring'} through /v1/completions), e.g. --chat-template tiny-a`);
  const chatTemplate = typeof v['chat-template'] === 'string' ? templateFrom(command, v['chat-template']) : undefined;
  const apiKey = process.env.OPENAI_API_KEY;
  let engine: OpenAIEngine;
  try {
    engine = new OpenAIEngine({
      baseUrl: v['base-url'],
      model,
      ...(apiKey ? { apiKey } : {}),
      ...(chatTemplate ? { chatTemplate } : {}),
      timeoutMs: num(command, 'timeout', v.timeout, 60_000, 1, 3_600_000),
      concurrency: num(command, 'concurrency', v.concurrency, 4, 1, 256),
    });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`lab ${command}: ${(e as Error).message}`);
  }
  await engine.probe();
  if (needs.score && !engine.info.can.score) throw new Error(`${engine.apiUrl} cannot score: it does not return prompt log-probs (echo: true with logprobs on /v1/completions); vLLM and lab serve do`);
  return engine;
}

/** A chat template function from an embedded model id or a model folder. */
export function templateFrom(command: string, spec: string): (messages: ChatMessage[]) => string {
  let dir = spec;
  if (!existsSync(spec)) {
    let path: string | undefined;
    try {
      path = findModel(spec).path;
    } catch {
      path = undefined;
    }
    if (!path) throw new UsageError(`lab ${command}: --chat-template "${spec}" is neither an embedded model id (see \`lab models\`) nor a folder with tokenizer.json and tokenizer_config.json`);
    dir = join(MODELS_DIR, path);
  }
  const read = (name: string, required: boolean): Record<string, unknown> => {
    const p = join(dir, name);
    if (!existsSync(p)) {
      if (!required) return {};
      throw new UsageError(`lab ${command}: --chat-template: ${p} is missing (the folder needs tokenizer.json and tokenizer_config.json)`);
    }
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`lab ${command}: --chat-template: ${p} is not valid JSON (${(e as Error).message})`);
    }
  };
  const tok = new ChatTokenizer(read('tokenizer.json', true), read('tokenizer_config.json', true), read('generation_config.json', false));
  return (messages) => tok.prompt(messages);
}
