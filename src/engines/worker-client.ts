/**
 * An Engine that lives in a module worker (workers/engine.worker.ts). The UI talks to this; the
 * model runs off the main thread. A crashed worker rejects every pending call with a message that
 * says to reload the model, instead of leaving promises hanging.
 *
 * The same RPC also runs over a MessagePort: `connect()` opens a channel to the engine worker and
 * returns the other end, which can be transferred to a second worker (the search worker) and
 * wrapped there with `WorkerEngine.attach(port, info)`. Requests from every port share the engine
 * worker's one queue, so the page and the search never run the model at the same time.
 */
import { abortError, type Completion, type Engine, type EngineInfo, type GenerateRequest, type LoadProgress, type ScoreRequest, type SequenceScores, type TokenEvent } from '../core/engine.js';
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
export type EngineControl = { type: 'connect'; port: MessagePort } | { type: 'disconnect' };

export class WorkerEngine implements Engine {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private crashed: Error | null = null;
  private crashListeners = new Set<(e: Error) => void>();
  /** Set for an attached engine: closes its port. */
  private closePort: (() => void) | null = null;
  info!: EngineInfo;

  private constructor(
    private readonly endpoint: RpcEndpoint,
    /** The Worker this engine owns (terminated on dispose); null when attached over a port. */
    private readonly worker: Worker | null,
  ) {
    endpoint.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
    if (worker) {
      worker.onerror = (ev: ErrorEvent) => {
        ev.preventDefault?.();
        this.crash(new Error(`the engine worker crashed (${ev.message || 'unknown error'}): reload the model`));
      };
    }
  }

  /** Start a worker and load a model in it, reporting per-file progress. */
  static async load(worker: Worker, spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<WorkerEngine> {
    const e = new WorkerEngine(worker, worker);
    await e.call({ type: 'load', spec }, { ...(onProgress ? { onProgress } : {}), onReady: (info) => (e.info = info) });
    return e;
  }

  /**
   * An engine served by another worker over `port` (a port from `connect()`). It can generate,
   * score and tokenize; `dispose()` closes only the port, never the model, which its owner keeps.
   */
  static attach(port: RpcEndpoint & { close?: () => void }, info: EngineInfo): WorkerEngine {
    const e = new WorkerEngine(port, null);
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
    this.crashed = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (notify) for (const l of this.crashListeners) l(err);
    this.crashListeners.clear();
  }

  private call(msg: WorkerPayload, hooks: Omit<Pending, 'resolve' | 'reject'> = {}, signal?: AbortSignal): Promise<unknown> {
    if (this.crashed) return Promise.reject(this.crashed);
    if (signal?.aborted) return Promise.reject(abortError());
    const id = this.nextId++;
    const onAbort = () => this.endpoint.postMessage({ type: 'interrupt', id: this.nextId++, target: id } satisfies ToWorker, []);
    signal?.addEventListener('abort', onAbort, { once: true });
    // A long search reuses one signal for hundreds of requests: drop the listener once settled.
    const settled = () => signal?.removeEventListener('abort', onAbort);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => (settled(), resolve(v)), reject: (e) => (settled(), reject(e)), ...hooks });
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

  async tokenize(text: string): Promise<number[]> {
    return (await this.call({ type: 'tokenize', text })) as number[];
  }

  async dispose(): Promise<void> {
    if (this.closePort) {
      this.closePort();
      this.closePort = null;
      this.crash(new Error(`engine ${this.info.id} was disconnected from this worker`), false);
      return;
    }
    if (!this.crashed) await this.call({ type: 'dispose' }).catch(() => undefined);
    this.worker?.terminate();
  }
}
