/**
 * An Engine that lives in a module worker (workers/engine.worker.ts). The UI talks to this; the
 * model runs off the main thread. A crashed worker rejects every pending call with a message that
 * says to reload the model, instead of leaving promises hanging.
 *
 * The same RPC also runs over a MessagePort: `connect()` opens a channel to the engine worker and
 * returns the other end, which can be transferred to a second worker (the search worker) and
 * wrapped there with `WorkerEngine.attach(port, info)`. Requests from every port share the engine
 * worker's one queue, so the page and the search never run the model at the same time.
 *
 * Nothing waits forever: `dispose()` (Unload) rejects every pending call and tells `onCrash`
 * listeners; the engine worker tells its connected ports when its model is unloaded or it crashes
 * (a `fatal` message), which rejects their pending calls too; and every request has a timeout
 * (`timeoutMs`, restarted by each streamed update) after which it is interrupted and rejected.
 */
import { abortError, type Completion, type Engine, type EngineInfo, type GenerateRequest, type LoadProgress, type ScoreRequest, type SequenceScores, type TokenEvent, type TokenPiece } from '../core/engine.js';
import type { FromWorker, ModelSpec, ToWorker } from '../core/rpc.js';

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onUpdate?: (e: TokenEvent) => void;
  onProgress?: (p: LoadProgress) => void;
  onReady?: (info: EngineInfo) => void;
};

type WorkerPayload = ToWorker extends infer U ? (U extends { id: number } ? Omit<U, 'id'> : never) : never;

/** Something that carries the engine RPC: a Worker or a MessagePort. */
export interface RpcEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent) => unknown) | null;
}

/**
 * Control messages of the engine worker besides the request protocol (they carry no request id):
 * `connect` serves the engine RPC on an extra port; `disconnect` (sent over such a port) aborts
 * that port's requests and closes it.
 */
export type EngineControl = { type: 'connect'; port: MessagePort } | { type: 'disconnect' } | { type: 'unload' };

/** Options of a WorkerEngine. */
export interface WorkerEngineOptions {
  /**
   * A request with no answer and no streamed update for this long is interrupted and rejected with
   * a `TimeoutError` (default 10 minutes; the time a request waits in the worker's queue counts).
   */
  timeoutMs?: number;
}

/** Default per-request timeout: long enough for a big batch on wasm, short enough to notice a stuck worker. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;
/** How long `dispose()` waits for the worker to release its model before terminating it. */
const DISPOSE_GRACE_MS = 5_000;

export class WorkerEngine implements Engine {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private crashed: Error | null = null;
  private crashListeners = new Set<(e: Error) => void>();
  /** Set for an attached engine: closes its port. */
  private closePort: (() => void) | null = null;
  private readonly timeoutMs: number;
  info!: EngineInfo;

  private constructor(
    private readonly endpoint: RpcEndpoint,
    /** The Worker this engine owns (terminated on dispose); null when attached over a port. */
    private readonly worker: Worker | null,
    options: WorkerEngineOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    endpoint.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
    if (worker) {
      worker.onerror = (ev: ErrorEvent) => {
        ev.preventDefault?.();
        this.crash(new Error(`the engine worker crashed (${ev.message || 'unknown error'}): reload the model`));
      };
    }
  }

  /** Start a worker and load a model in it, reporting per-file progress. */
  static async load(worker: Worker, spec: ModelSpec, onProgress?: (p: LoadProgress) => void, options: WorkerEngineOptions = {}): Promise<WorkerEngine> {
    const e = new WorkerEngine(worker, worker, options);
    await e.call({ type: 'load', spec }, { ...(onProgress ? { onProgress } : {}), onReady: (info) => (e.info = info) });
    return e;
  }

  /**
   * An engine served by another worker over `port` (a port from `connect()`). It can generate,
   * score and tokenize; `dispose()` closes only the port, never the model, which its owner keeps.
   */
  static attach(port: RpcEndpoint & { close?: () => void }, info: EngineInfo, options: WorkerEngineOptions = {}): WorkerEngine {
    const e = new WorkerEngine(port, null, options);
    e.info = info;
    e.closePort = () => {
      port.postMessage({ type: 'disconnect' } satisfies EngineControl, []);
      port.close?.();
    };
    return e;
  }

  /**
   * Open a new channel to the engine worker and return its far end, to transfer to another
   * worker (`postMessage(msg, [port])`) and wrap there with `WorkerEngine.attach`.
   */
  connect(): MessagePort {
    if (this.crashed) throw this.crashed;
    const channel = new MessageChannel();
    this.endpoint.postMessage({ type: 'connect', port: channel.port2 } satisfies EngineControl, [channel.port2]);
    return channel.port1;
  }

  /** Called once if the engine worker crashes; returns an unsubscribe function. */
  onCrash(listener: (e: Error) => void): () => void {
    if (this.crashed) {
      listener(this.crashed);
      return () => undefined;
    }
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  private receive(msg: FromWorker): void {
    if (msg.type === 'fatal') {
      const err = new Error(msg.error.message);
      err.name = msg.error.name;
      this.crash(err);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') p.onProgress?.(msg.progress);
    else if (msg.type === 'update') p.onUpdate?.(msg.event);
    else if (msg.type === 'ready') {
      p.onReady?.(msg.info);
      this.pending.delete(msg.id);
      p.resolve(msg.info);
    } else if (msg.type === 'complete') {
      this.pending.delete(msg.id);
      p.resolve(msg.result);
    } else if (msg.type === 'error') {
      this.pending.delete(msg.id);
      const err = new Error(msg.error.message);
      err.name = msg.error.name;
      p.reject(err);
    }
  }

  private crash(err: Error, notify = true): void {
    if (this.crashed) return;
    this.crashed = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (notify) for (const l of this.crashListeners) l(err);
    this.crashListeners.clear();
  }

  private call(msg: WorkerPayload, hooks: Omit<Pending, 'resolve' | 'reject'> = {}, signal?: AbortSignal, timeoutMs = this.timeoutMs): Promise<unknown> {
    if (this.crashed) return Promise.reject(this.crashed);
    return this.send(msg, hooks, signal, timeoutMs);
  }

  /** Post one request and settle it by its answer, an abort, a crash or the timeout. */
  private send(msg: WorkerPayload, hooks: Omit<Pending, 'resolve' | 'reject'>, signal: AbortSignal | undefined, timeoutMs: number): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(abortError());
    const id = this.nextId++;
    const interrupt = () => this.endpoint.postMessage({ type: 'interrupt', id: this.nextId++, target: id } satisfies ToWorker, []);
    signal?.addEventListener('abort', interrupt, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A long search reuses one signal for hundreds of requests: drop the listener once settled.
    const settled = () => {
      signal?.removeEventListener('abort', interrupt);
      clearTimeout(timer);
    };
    return new Promise((resolve, reject) => {
      const arm = () => {
        if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (!this.pending.delete(id)) return;
          settled();
          interrupt();
          const err = new Error(`${this.info?.id ?? 'the engine'}: "${msg.type}" got no answer in ${(timeoutMs / 1000).toFixed(1)} s, so it was interrupted; if this repeats, unload and reload the model`);
          err.name = 'TimeoutError';
          reject(err);
        }, timeoutMs);
      };
      // Streamed updates and load progress show the request is alive: each restarts the clock.
      const alive = <T>(f: ((v: T) => void) | undefined) => (v: T) => (arm(), f?.(v));
      this.pending.set(id, {
        resolve: (v) => (settled(), resolve(v)),
        reject: (e) => (settled(), reject(e)),
        ...hooks,
        onUpdate: alive(hooks.onUpdate),
        onProgress: alive(hooks.onProgress),
      });
      arm();
      this.endpoint.postMessage({ ...msg, id } as ToWorker, []);
    });
  }

  async generate(req: GenerateRequest, signal?: AbortSignal): Promise<Completion[]> {
    const { onToken, ...request } = req;
    return (await this.call({ type: 'generate', request, stream: !!onToken }, onToken ? { onUpdate: onToken } : {}, signal)) as Completion[];
  }

  async score(req: ScoreRequest, signal?: AbortSignal): Promise<SequenceScores> {
    return (await this.call({ type: 'score', request: req }, {}, signal)) as SequenceScores;
  }

  /** Token texts and offsets from the worker's engine (ort models; others reject). */
  async detokenize(ids: number[]): Promise<TokenPiece[]> {
    return (await this.call({ type: 'detokenize', ids })) as TokenPiece[];
  }

  async tokenize(text: string): Promise<number[]> {
    return (await this.call({ type: 'tokenize', text })) as number[];
  }

  /**
   * Owned engine (Unload): reject every pending call and tell `onCrash` listeners (a search using
   * the model ends with this error instead of waiting forever), have the worker abort its queue,
   * tell its connected ports and release the model, then terminate it. Attached engine: close the
   * port (the model stays loaded); its pending calls are rejected.
   */
  async dispose(): Promise<void> {
    const id = this.info?.id ?? 'the model';
    if (this.closePort) {
      this.closePort();
      this.closePort = null;
      this.crash(new Error(`engine ${id} was disconnected from this worker`), false);
      return;
    }
    const alive = !this.crashed;
    const err = new Error(`model ${id} was unloaded`);
    err.name = 'EngineClosedError';
    this.crash(err);
    if (alive && this.worker) {
      this.endpoint.postMessage({ type: 'unload' } satisfies EngineControl, []);
      await this.send({ type: 'dispose' }, {}, undefined, DISPOSE_GRACE_MS).catch(() => undefined);
    }
    this.worker?.terminate();
  }
}
