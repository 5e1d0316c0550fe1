/**
 * The slice of the OpenAI HTTP API that `lab serve` speaks and the `openai` engine uses: wire types
 * for /v1/chat/completions, /v1/completions (legacy, with echo and logprobs), /v1/models and the
 * vLLM-style /tokenize, plus a server-sent-events reader. Runtime-agnostic (fetch streams only).
 */

/** The JSON body of an error answer: `{error: {message, type, param, code}}`. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** One entry of chat `logprobs.content` (and of its `top_logprobs`). */
export interface ChatLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs?: { token: string; logprob: number; bytes: number[] | null }[];
}

/** Legacy completions `choices[i].logprobs`: parallel arrays, one entry per token. */
export interface LegacyLogprobs {
  tokens: string[];
  /** null for the first prompt token when the prompt is echoed. */
  token_logprobs: (number | null)[];
  /** Top alternatives as token → logprob (the sampled token included); null where token_logprobs is. */
  top_logprobs: (Record<string, number> | null)[] | null;
  /** Character offset of each token in the returned `text`. */
  text_offset: number[];
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/**
 * Why a choice ended, as servers report it: `finish_reason` is "stop" both for a stop string and
 * for the end-of-sequence token; vLLM (and `lab serve`) add `stop_reason`: the stop string, or null
 * for end-of-sequence. Servers without `stop_reason` leave the two cases indistinguishable.
 */
export interface ChoiceEnd {
  finish_reason: 'stop' | 'length' | string | null;
  stop_reason?: string | number | null;
}

export interface ChatChoice extends ChoiceEnd {
  index: number;
  message: { role: 'assistant'; content: string | null };
  logprobs: { content: ChatLogprob[] | null } | null;
}

export interface ChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
}

export interface ChatChunkChoice extends ChoiceEnd {
  index: number;
  delta: { role?: 'assistant'; content?: string | null };
  logprobs?: { content: ChatLogprob[] | null } | null;
}

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChatChunkChoice[];
  usage?: Usage | null;
}

/** vLLM-style prompt log-probs: per prompt token (null for the first), token id → details. */
export type PromptLogprobs = (Record<string, { logprob: number; rank: number; decoded_token: string }> | null)[];

export interface CompletionChoice extends ChoiceEnd {
  index: number;
  text: string;
  logprobs: LegacyLogprobs | null;
  prompt_logprobs?: PromptLogprobs | null;
}

export interface CompletionResponse {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: Usage;
}

export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string; max_model_len?: number }[];
}

/**
 * Read a `text/event-stream` body: calls `onData` with each event's parsed JSON `data` until
 * `data: [DONE]` or the end of the stream. A `data` object with an `error` field is thrown.
 */
export async function readSse(body: ReadableStream<Uint8Array>, onData: (data: unknown) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const flush = (block: string): boolean => {
    const data = block
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '') return false;
    if (data.trim() === '[DONE]') return true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new Error(`the server sent an event that is not JSON: ${data.slice(0, 200)}`);
    }
    const err = (parsed as { error?: { message?: string } | string } | null)?.error;
    if (err) throw new Error(`the server reported an error mid-stream: ${typeof err === 'string' ? err : (err.message ?? JSON.stringify(err))}`);
    onData(parsed);
    return false;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buf += decoder.decode(value ?? new Uint8Array(), { stream: !done });
      let m: RegExpExecArray | null;
      while ((m = /\r?\n\r?\n/.exec(buf))) {
        const block = buf.slice(0, m.index);
        buf = buf.slice(m.index + m[0].length);
        if (flush(block)) return;
      }
      if (done) {
        if (buf.trim()) flush(buf);
        return;
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

/** UTF-8 bytes of a string (the `bytes` field of chat logprobs). */
export function utf8Bytes(s: string): number[] {
  return Array.from(new TextEncoder().encode(s));
}
