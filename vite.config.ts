import { createReadStream, existsSync, readdirSync, statSync, mkdirSync, copyFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { serviceWorker } from './tools/vite-sw-plugin.js';

/**
 * Offline by construction: ORT's wasm runtime (/ort/) and the embedded models (/models/) are
 * served by the dev server from the project and copied into dist/ on build. Nothing is fetched
 * from a hub or CDN at run time.
 */
const ROOT = resolve(__dirname);
// Cross-origin isolation lets ORT use wasm threads (SharedArrayBuffer).
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const MOUNTS: Record<string, string> = {
  '/ort/': join(ROOT, 'node_modules/onnxruntime-web/dist'),
  '/models/': join(ROOT, 'models'),
};
const TYPES: Record<string, string> = { '.wasm': 'application/wasm', '.mjs': 'text/javascript', '.json': 'application/json', '.onnx': 'application/octet-stream' };

function copyDir(src: string, dst: string, filter: (name: string) => boolean): void {
  mkdirSync(dst, { recursive: true });
  for (const name of readdirSync(src)) {
    const s = join(src, name);
    if (statSync(s).isDirectory()) copyDir(s, join(dst, name), filter);
    else if (filter(name)) copyFileSync(s, join(dst, name));
  }
}

function localAssets(): Plugin {
  let outDir = 'dist';
  return {
    name: 'reasoning-lab-local-assets',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        // JSON imported as a module (models/catalogue.json in the app) is vite's business.
        const moduleImport = req.headers['sec-fetch-dest'] === 'script' || (req.url ?? '').includes('?');
        const url = decodeURIComponent((req.url ?? '').split('?')[0]!);
        for (const [prefix, dir] of Object.entries(MOUNTS)) {
          if (!url.startsWith(prefix) || (moduleImport && url.endsWith('.json'))) continue;
          const file = resolve(dir, '.' + url.slice(prefix.length - 1));
          if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
            res.statusCode = 404;
            res.end(`not found: ${url}`);
            return;
          }
          res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
          res.setHeader('Content-Length', String(statSync(file).size));
          res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
          for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
          createReadStream(file).pipe(res);
          return;
        }
        next();
      });
    },
    closeBundle() {
      copyDir(MOUNTS['/ort/']!, join(outDir, 'ort'), (n) => /^ort-wasm-simd-threaded.*\.(wasm|mjs)$/.test(n));
      copyDir(MOUNTS['/models/']!, join(outDir, 'models'), (n) => /\.(json|onnx|md)$/.test(n));
    },
  };
}


export default defineConfig({
  // The webgpu bundle of onnxruntime-web loads only the asyncify wasm; the other variants would
  // add ~86 MB to the offline precache for nothing.
  plugins: [localAssets(), serviceWorker({ exclude: [/^ort\/ort-wasm-simd-threaded\.(jsep|jspi)\./, /^ort\/ort-wasm-simd-threaded\.(wasm|mjs)$/, /^assets\/.*\.wasm$/] })],
  server: { headers: isolation, fs: { allow: [ROOT] } },
  preview: { headers: isolation },
  worker: { format: 'es' },
  // Pre-bundled up front: discovering web-llm mid-session makes the dev server reload the page.
  // Scanning the workers and test harness pages up front finds every dependency at start-up, so
  // the dev server never re-optimises (and reloads the page) in the middle of a session.
  optimizeDeps: { include: ['@mlc-ai/web-llm'], exclude: ['onnxruntime-web'], entries: ['index.html', 'tests/browser/*.html', 'workers/*.ts', 'src/ui/**/*.ts'] },
  build: {
    target: 'es2022',
    rollupOptions: { input: { main: resolve(ROOT, 'index.html') } },
  },
});
