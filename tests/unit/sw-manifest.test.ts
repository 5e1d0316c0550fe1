/**
 * The offline precache: the manifest lists every built file (minus the worker itself and source
 * maps) with SRI hashes and a content version, and the generated worker, run against an
 * in-memory Cache Storage, precaches every entry, reuses unchanged entries across versions,
 * serves the app shell and assets with the network off, and keeps COOP/COEP on every response.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildManifest, integrityOf, ISOLATION_HEADERS, scanDir, swSource, type DistFile } from '../../tools/sw-manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe('precache manifest', () => {
  put('index.html', '<!doctype html><script type="module" src="/assets/main-abc.js"></script>');
  put('assets/main-abc.js', 'console.log(1)');
  put('assets/main-abc.js.map', '{}');
  put('ort/ort-wasm-simd-threaded.wasm', 'wasm-bytes');
  put('models/tiny-a/onnx/model.onnx', 'onnx-bytes');
  put('models/tiny-a/tokenizer.json', '{}');
  put('sw.js', 'old worker');
  put('.DS_Store', 'x');

  it('lists every file but the worker, maps and dotfiles, sorted, with SRI hashes', () => {
    const m = buildManifest(scanDir(dir));
    expect(m.entries.map((e) => e.path)).toEqual(['assets/main-abc.js', 'index.html', 'models/tiny-a/onnx/model.onnx', 'models/tiny-a/tokenizer.json', 'ort/ort-wasm-simd-threaded.wasm']);
    const wasm = m.entries.find((e) => e.path.endsWith('.wasm'))!;
    expect(wasm.integrity).toBe(integrityOf(new TextEncoder().encode('wasm-bytes')));
    expect(wasm.integrity).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
    expect(m.bytes).toBe(m.entries.reduce((a, e) => a + e.size, 0));
    expect(m.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('has a version that changes with any byte and not with listing order', () => {
    const files = scanDir(dir);
    const a = buildManifest(files);
    expect(buildManifest([...files].reverse()).version).toBe(a.version);
    const changed = files.map((f) => (f.path === 'index.html' ? { ...f, integrity: integrityOf(new TextEncoder().encode('other')) } : f));
    expect(buildManifest(changed).version).not.toBe(a.version);
  });

  it('normalises paths, honours extra exclusions and rejects duplicates', () => {
    const f = (path: string): DistFile => ({ path, integrity: 'sha256-x', size: 1 });
    expect(buildManifest([f('./a.js'), f('b\\c.js')]).entries.map((e) => e.path)).toEqual(['a.js', 'b/c.js']);
    expect(buildManifest([f('ort/x.wasm'), f('ort/y.wasm')], [/^ort\/y/]).entries.map((e) => e.path)).toEqual(['ort/x.wasm']);
    expect(() => buildManifest([f('a.js'), f('./a.js')])).toThrow(/duplicate path a\.js/);
  });
});

// ---- the generated worker in a simulated service-worker global -------------------------------

class MemCache {
  readonly map = new Map<string, Response>();
  async match(req: Request | string): Promise<Response | undefined> {
    const r = this.map.get(typeof req === 'string' ? req : req.url);
    return r?.clone();
  }
  async put(req: Request | string, res: Response): Promise<void> {
    // Like Cache.put: the body is read fully before the entry exists.
    const body = await res.arrayBuffer();
    this.map.set(typeof req === 'string' ? req : req.url, new Response(body, { status: res.status, headers: res.headers }));
  }
}

class MemCaches {
  readonly caches = new Map<string, MemCache>();
  async open(name: string): Promise<MemCache> {
    if (!this.caches.has(name)) this.caches.set(name, new MemCache());
    return this.caches.get(name)!;
  }
  async keys(): Promise<string[]> {
    return [...this.caches.keys()];
  }
  async delete(name: string): Promise<boolean> {
    return this.caches.delete(name);
  }
  async match(req: Request | string): Promise<Response | undefined> {
    for (const c of this.caches.values()) {
      const r = await c.match(req);
      if (r) return r;
    }
    return undefined;
  }
}

const ORIGIN = 'https://lab.example';

function bootWorker(source: string, caches: MemCaches, network: Map<string, string> | null) {
  const handlers: Record<string, (e: unknown) => void> = {};
  const fetched: string[] = [];
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    addEventListener: (type: string, fn: (e: unknown) => void) => (handlers[type] = fn),
    skipWaiting: async () => undefined,
    clients: { claim: async () => undefined },
  };
  const fetchImpl = async (input: Request | string) => {
    const url = typeof input === 'string' ? input : input.url;
    fetched.push(url);
    if (!network) throw new TypeError('Failed to fetch');
    const body = network.get(url);
    return body === undefined ? new Response('nope', { status: 404 }) : new Response(body, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
  };
  // Run the worker source with the simulated globals in scope (as they would be in a worker).
  new Function('self', 'caches', 'fetch', source)(self, caches, fetchImpl);
  const run = async (type: string, data: Record<string, unknown> = {}) => {
    let waited: Promise<unknown> = Promise.resolve();
    let responded: Promise<Response> | null = null;
    handlers[type]!({ ...data, waitUntil: (p: Promise<unknown>) => (waited = p), respondWith: (p: Promise<Response>) => (responded = p) });
    await waited;
    return responded as Promise<Response> | null;
  };
  return { run, fetched };
}

const navigate = (path: string) => ({ request: { url: ORIGIN + path, method: 'GET', mode: 'navigate', headers: new Headers() } });
const get = (path: string) => ({ request: { url: ORIGIN + path, method: 'GET', mode: 'cors', headers: new Headers() } });

describe('generated service worker', () => {
  const files: Record<string, string> = { 'index.html': '<html>lab</html>', 'assets/main.js': 'js', 'ort/ort-wasm-simd-threaded.wasm': 'wasm', 'models/tiny-a/onnx/model.onnx': 'onnx' };
  const manifestOf = (fs: Record<string, string>) =>
    buildManifest(Object.entries(fs).map(([path, text]) => ({ path, integrity: integrityOf(new TextEncoder().encode(text)), size: text.length })));
  const networkOf = (fs: Record<string, string>) => new Map(Object.entries(fs).map(([p, t]) => [`${ORIGIN}/${p}`, t]));

  it('precaches every entry, then serves shell and assets offline with isolation headers', async () => {
    const caches = new MemCaches();
    const m = manifestOf(files);
    const online = bootWorker(swSource(m), caches, networkOf(files));
    await online.run('install');
    await online.run('activate');
    expect([...caches.caches.keys()]).toEqual([`reasoning-lab-${m.version}`]);
    expect(online.fetched.sort()).toEqual(Object.keys(files).map((p) => `${ORIGIN}/${p}`).sort());

    const offline = bootWorker(swSource(m), caches, null);
    const shell = (await offline.run('fetch', navigate('/?x=1')))!;
    expect(await (await shell).text()).toBe('<html>lab</html>');
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) expect((await shell).headers.get(k)).toBe(v);
    const wasm = await (await offline.run('fetch', get('/ort/ort-wasm-simd-threaded.wasm')))!;
    expect(await wasm.text()).toBe('wasm');
    expect(wasm.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    const model = await (await offline.run('fetch', get('/models/tiny-a/onnx/model.onnx')))!;
    expect(await model.text()).toBe('onnx');
    const missing = await (await offline.run('fetch', get('/nowhere.js')))!;
    expect(missing.status).toBe(503);
    expect(offline.fetched).toEqual([`${ORIGIN}/nowhere.js`]);
    // Cross-origin requests and non-GETs are left to the browser.
    expect(await offline.run('fetch', { request: { url: 'https://cdn.example/x.js', method: 'GET', mode: 'cors', headers: new Headers() } })).toBeNull();
    expect(await offline.run('fetch', { request: { url: `${ORIGIN}/x`, method: 'POST', mode: 'cors', headers: new Headers() } })).toBeNull();
  });

  it('a new version downloads only changed files and drops the old cache', async () => {
    const caches = new MemCaches();
    const v1 = manifestOf(files);
    const w1 = bootWorker(swSource(v1), caches, networkOf(files));
    await w1.run('install');
    await w1.run('activate');
    const files2 = { ...files, 'assets/main.js': 'js v2' };
    const v2 = manifestOf(files2);
    expect(v2.version).not.toBe(v1.version);
    const w2 = bootWorker(swSource(v2), caches, networkOf(files2));
    await w2.run('install');
    expect(w2.fetched).toEqual([`${ORIGIN}/assets/main.js`]);
    await w2.run('activate');
    expect([...caches.caches.keys()]).toEqual([`reasoning-lab-${v2.version}`]);
    const js = await (await w2.run('fetch', get('/assets/main.js')))!;
    expect(await js.text()).toBe('js v2');
  });

  it('fails the install whole when a file is missing (the old worker stays in charge)', async () => {
    const caches = new MemCaches();
    const m = manifestOf({ ...files, 'gone.js': 'x' });
    const w = bootWorker(swSource(m), caches, networkOf(files));
    await expect(w.run('install')).rejects.toThrow(/precache gone\.js: HTTP 404/);
  });
});
