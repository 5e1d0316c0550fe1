/**
 * Vite plugin (build only): after every other plugin has written dist/ (the app shell, ORT's
 * wasm under dist/ort/, the embedded models under dist/models/, public/ files such as the
 * recorded demos), list every file with its SHA-256 and write dist/sw.js, a service worker that
 * precaches them for offline use, plus dist/sw-manifest.json (the same list, for tests and audits).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { buildManifest, DEFAULT_EXCLUDE, scanDir, swSource } from './sw-manifest.js';

export interface ServiceWorkerOptions {
  /** Extra paths (relative to dist/, forward slashes) to leave out of the precache. */
  exclude?: RegExp[];
}

export function serviceWorker(opts: ServiceWorkerOptions = {}): Plugin {
  let outDir = 'dist';
  return {
    name: 'reasoning-lab-service-worker',
    apply: 'build',
    configResolved(c) {
      outDir = resolve(c.root, c.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        // A failed build leaves no index.html: write no worker that would precache a broken app.
        if (!existsSync(join(outDir, 'index.html'))) return;
        const manifest = buildManifest(scanDir(outDir), [...DEFAULT_EXCLUDE, ...(opts.exclude ?? [])]);
        writeFileSync(join(outDir, 'sw.js'), swSource(manifest));
        writeFileSync(join(outDir, 'sw-manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
        this.info?.(`sw.js: ${manifest.entries.length} files, ${(manifest.bytes / 1e6).toFixed(1)} MB precached, version ${manifest.version}`);
      },
    },
  };
}
