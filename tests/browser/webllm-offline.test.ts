/**
 * In headless Chromium with a real WebGPU adapter (SwiftShader): the Models view lists the
 * 1B-class models with their memory needs and the build this adapter gets (q4f16 with
 * shader-f16, else q4f32), and with the hub blocked (every https request aborted, as offline)
 * loading a hub model through the real path — list → load-model event → module worker →
 * preflight → web-llm — fails within seconds with the advice, instead of hanging.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab, type Lab } from './chromium.js';

const OFFLINE = /cannot reach (huggingface\.co|raw\.githubusercontent\.com): you are offline or the hub is blocked; serve the weights from a local folder \(docs\/webllm-local\.md\) or use the embedded tiny models/;
const catalogue = JSON.parse(readFileSync('models/catalogue.json', 'utf8')) as { models: { id: string; webllm?: { variants: Record<string, { vramMB: number; downloadMB: number; modelId: string }> } }[] };

let lab: Lab;
const blocked: string[] = [];

async function ready(): Promise<void> {
  await lab.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
}

beforeAll(async () => {
  lab = await openLab('/tests/browser/webllm-harness.html');
  await ready();
  // Let vite pre-bundle what the page and the worker import (web-llm, transformers) before the
  // tests: a dependency found late makes vite re-optimise and reload the page. Repeat until a warm-up
  // completes with no reload in the few seconds after it.
  let navigations = 0;
  lab.page.on('framenavigated', (f) => {
    if (f === lab.page.mainFrame()) navigations++;
  });
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = navigations;
    const ok = await lab.page.evaluate(() => (globalThis as any).labWebllm.warm()).then(
      () => true,
      () => false,
    );
    await new Promise((r) => setTimeout(r, 5000));
    if (ok && navigations === before) break;
    await lab.page.reload();
    await ready();
  }
  // The hub is unreachable: every https request (huggingface.co, raw.githubusercontent.com) fails as offline.
  await lab.page.context().route(
    (url) => url.protocol === 'https:',
    (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
}, 300_000);
afterAll(async () => lab?.close());

describe('the Models view and web-llm offline', () => {
  it("lists the 1B-class models with their memory needs and the adapter's build", async () => {
    const r = await lab.page.evaluate(() => (globalThis as any).labWebllm.renderList());
    const quant = r.features.includes('shader-f16') ? 'q4f16' : 'q4f32';
    console.log(`adapter: ${r.adapter}\n${r.storage}\n` + r.rows.map((x: any) => `${x.id.padEnd(28)} ${x.backend.padEnd(15)} ${x.params.padEnd(6)} ${x.download.padEnd(10)} ${x.memory.padEnd(10)} ${x.build.padEnd(6)} ${x.fitText}`).join('\n'));
    expect(r.adapter).toContain(quant === 'q4f16' ? 'shader-f16: yes' : 'shader-f16: no');
    const byId = new Map<string, any>(r.rows.map((x: any) => [x.id, x]));
    for (const id of ['qwen2.5-0.5b-instruct', 'qwen2.5-1.5b-instruct', 'qwen2.5-math-1.5b-instruct', 'llama-3.2-1b-instruct', 'qwen3-0.6b', 'qwen3-1.7b']) {
      const row = byId.get(id);
      const v = catalogue.models.find((m) => m.id === id)!.webllm!.variants[quant]!;
      expect(row, id).toBeDefined();
      expect(row.backend).toBe('web-llm');
      expect(row.quant).toBe(quant);
      expect(row.build).toBe(quant);
      expect(row.memory).toBe(`≈${Math.round(v.vramMB)} MB`);
      expect(row.download).toBe(`≈${v.downloadMB} MB`);
      expect(row.fitText).toMatch(/^(fits|warning|won't fit)/);
      expect(row.cached).toBe('no');
    }
    for (const id of ['qwen2.5-0.5b-instruct-onnx', 'llama-3.2-1b-instruct-onnx']) expect(byId.get(id)).toMatchObject({ backend: 'ort (ONNX)', quant: 'q4' });
    expect(byId.get('tiny-a')).toMatchObject({ backend: 'ort (embedded)', cached: 'shipped', fit: 'ok' });
  });

  it('loading a hub web-llm model offline fails within seconds with the advice, shown in the list', async () => {
    const r = await lab.page.evaluate(() => (globalThis as any).labWebllm.loadViaList('qwen2.5-0.5b-instruct'));
    console.log(`web-llm hub load: ${r.result.type} after ${Math.round(r.result.ms)} ms in the worker (${Math.round(r.totalMs)} ms from the click): ${r.result.error?.message}`);
    expect(r.detail.baseUrl).toMatch(/^https:\/\/huggingface\.co\/mlc-ai\/Qwen2\.5-0\.5B-Instruct-q4f(16|32)_1-MLC\/resolve\/main\/$/);
    expect(r.result.type).toBe('error');
    expect(r.result.error.name).toBe('ModelLoadError');
    expect(r.result.error.message).toMatch(OFFLINE);
    // Inside the worker, from the load call to the error (web-llm's import included); the click-to-message
    // time adds starting a fresh worker, which a loaded CPU can slow down.
    expect(r.result.ms).toBeLessThan(10_000);
    expect(r.shown).toBe(r.result.error.message);
    expect(r.role).toBe('alert');
    expect(blocked.some((u) => u.startsWith('https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-'))).toBe(true);
  });

  it('the ONNX hub entry gets the same preflight', async () => {
    const r = await lab.page.evaluate(() => (globalThis as any).labWebllm.loadViaList('llama-3.2-1b-instruct-onnx'));
    console.log(`ONNX hub load: ${r.result.type} after ${Math.round(r.result.ms)} ms: ${r.result.error?.message}`);
    expect(r.detail).toMatchObject({ backend: 'ort', quant: 'q4', onnxFile: 'onnx/model_q4.onnx', baseUrl: 'https://huggingface.co/onnx-community/Llama-3.2-1B-Instruct/resolve/main/' });
    expect(r.result.error.message).toMatch(/^cannot reach huggingface\.co: you are offline/);
    expect(r.result.ms).toBeLessThan(10_000);
  });

  it('a local folder without the weights names the layout to create', async () => {
    const r = await lab.page.evaluate(() => (globalThis as any).labWebllm.loadViaList('qwen3-0.6b', 'local'));
    console.log(`local load: ${r.result.error?.message}`);
    expect(r.detail.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/models\/webllm\/Qwen3-0\.6B-q4f(16|32)_1-MLC\/resolve\/main\/$/);
    expect(r.result.error.message).toMatch(/mlc-chat-config\.json of qwen3-0\.6b \(q4f(16|32)\) is missing: .* HTTP 404; a local web-llm folder holds the hub repository under <root>\/webllm\/<model_id>\/resolve\/main\//);
  });

  it('an embedded model loads and generates through the same entry point (ort dispatch)', async () => {
    const r = await lab.page.evaluate(() => (globalThis as any).labWebllm.loadViaList('tiny-a', 'hub', 'webgpu'));
    expect(r.result.error).toBeUndefined();
    expect(r.result.type).toBe('done');
    expect(r.result.info).toMatchObject({ id: 'tiny-a', backend: 'ort', device: 'webgpu' });
    expect(r.result.tokens).toBeGreaterThan(0);
    expect(r.shown).toBe('ready');
  });
});
