/// <reference lib="webworker" />
/**
 * Test worker: loads a model through the real browser entry point (loadBrowserEngine: preflight,
 * web-llm or ort) exactly as the engine worker will, and reports the outcome and its timing.
 */
import type { LoadProgress } from '../../src/core/engine.js';
import { loadBrowserEngine } from '../../src/engines/load-browser.js';
import type { BrowserModelSpec } from '../../src/engines/webllm/spec.js';

type In = { type: 'warm' } | { type: 'load'; spec: BrowserModelSpec };

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (ev: MessageEvent<In>) => {
  const msg = ev.data;
  if (msg.type === 'warm') {
    await import('@mlc-ai/web-llm');
    scope.postMessage({ type: 'warm' });
    return;
  }
  const t0 = performance.now();
  const phases: LoadProgress['phase'][] = [];
  try {
    const engine = await loadBrowserEngine(msg.spec, (p) => phases.push(p.phase));
    const info = engine.info;
    const sample = await engine.generate({ messages: [{ role: 'user', content: "How many r's are in strawberry?" }], n: 1, maxTokens: 8, seed: 1 });
    await engine.dispose();
    scope.postMessage({ type: 'done', ms: performance.now() - t0, info, phases: [...new Set(phases)], tokens: sample[0]!.tokens.length });
  } catch (e) {
    const err = e as Error;
    scope.postMessage({ type: 'error', ms: performance.now() - t0, error: { name: err.name, message: err.message }, phases: [...new Set(phases)] });
  }
};
