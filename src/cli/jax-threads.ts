/**
 * Threads for jax-js's wasm backend in Node. jax-js splits each wasm kernel over a pool of Web
 * Workers sharing one WebAssembly.Memory, but only where a `Worker` global exists (browsers);
 * Node has none, so training in Node ran on one core. This installs a minimal `Worker` built on
 * worker_threads (the subset jax-js uses: a blob-URL module source, postMessage, onmessage,
 * onerror) and `navigator.hardwareConcurrency`, before jax-js is initialised.
 *
 * Kernels are split by output ranges, so results do not depend on the thread count.
 */
import { resolveObjectURL } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { Worker as NodeWorker } from 'node:worker_threads';
import { num } from './args.js';

/** Runs in each worker thread: the first message carries the pool's script, later ones its work. */
const BOOT = `
const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
let loaded = false;
parentPort.on('message', (m) => {
  if (!loaded) { loaded = true; (0, eval)(m); return; }
  self.onmessage({ data: m });
});
`;

let started = 0;

/** Pool threads jax-js has started in this process (0: it ran on the main thread only). */
export function startedThreads(): number {
  return started;
}

class ThreadWorker {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  private readonly thread: NodeWorker;
  private queue: unknown[] | null = [];
  private pending = 0;

  constructor(url: string | URL) {
    const blob = resolveObjectURL(String(url));
    if (!blob) throw new Error(`jax-js worker: ${String(url)} is not a blob URL`);
    this.thread = new NodeWorker(BOOT, { eval: true });
    started++;
    this.thread.on('message', (data) => {
      // Every message to a pool thread gets exactly one answer: hold the process open only while
      // an answer is due, so an idle pool never keeps it alive (and a busy one is never cut off).
      if (--this.pending === 0) this.thread.unref();
      this.onmessage?.({ data });
    });
    this.thread.on('error', (e) => this.onerror?.({ message: e.message }));
    this.thread.unref();
    void blob.text().then((src) => {
      this.thread.postMessage(src);
      for (const m of this.queue!) this.thread.postMessage(m);
      this.queue = null;
    });
  }

  postMessage(m: unknown): void {
    if (this.pending++ === 0) this.thread.ref();
    if (this.queue) this.queue.push(m);
    else this.thread.postMessage(m);
  }

  terminate(): void {
    void this.thread.terminate();
  }
}

/**
 * Give jax-js `threads` wasm worker threads (default: the machine's cores); 1 leaves it
 * single-threaded. Call it before `@jax-js/jax` is first imported: jax-js builds its wasm backend
 * (shared memory or not, and the pool size) when its module loads, so a later call would leave
 * kernels compiled for shared memory next to an unshared one. Returns the thread count in use.
 */
export function useJaxThreads(threads = availableParallelism()): number {
  const g = globalThis as Record<string, unknown>;
  if (threads <= 1 || typeof SharedArrayBuffer === 'undefined') return 1;
  if (g.Worker === undefined) g.Worker = ThreadWorker;
  const nav = (g.navigator ?? {}) as Record<string, unknown>;
  if (g.navigator === undefined) Object.defineProperty(g, 'navigator', { value: nav, configurable: true, writable: true });
  Object.defineProperty(nav, 'hardwareConcurrency', { value: threads, configurable: true });
  return threads;
}

/** `--threads N` (or `--threads=N`) of a command line: an integer 1..256, default every core. */
export function threadsFlag(command: string, argv: string[]): number {
  const i = argv.findIndex((a) => a === '--threads' || a.startsWith('--threads='));
  const value = i < 0 ? undefined : argv[i]!.includes('=') ? argv[i]!.slice('--threads='.length) : argv[i + 1];
  return num(command, 'threads', i < 0 ? undefined : (value ?? ''), availableParallelism(), 1, 256);
}
