/**
 * An Engine that lives in a module worker (workers/engine.worker.ts). The UI talks to this; the
 * model runs off the main thread. A crashed worker rejects every pending call with a message that
 * says to reload the model, instead of leaving promises hanging.
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

export class WorkerEngine implements Engine {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private crashed: Error | null = null;
  info!: EngineInfo;

  private constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      this.crash(new Error(`the engine worker crashed (${ev.message || 'unknown error'}): reload the model`));
    };
  }

  /** Start a worker and load a model in it, reporting per-file progress. */
  static async load(worker: Worker, spec: ModelSpec, onProgress?: (p: LoadProgress) => void): Promise<WorkerEngine> {
    const e = new WorkerEngine(worker);
    await e.call({ type: 'load', spec }, { ...(onProgress ? { onProgress } : {}), onReady: (info) => (e.info = info) });
    return e;
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

  private crash(err: Error): void {
    this.crashed = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private call(msg: WorkerPayload, hooks: Omit<Pending, 'resolve' | 'reject'> = {}, signal?: AbortSignal): Promise<unknown> {
    if (this.crashed) return Promise.reject(this.crashed);
    if (signal?.aborted) return Promise.reject(abortError());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...hooks });
      signal?.addEventListener('abort', () => this.worker.postMessage({ type: 'interrupt', id: this.nextId++, target: id } satisfies ToWorker), { once: true });
      this.worker.postMessage({ ...msg, id } as ToWorker);
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
    if (!this.crashed) await this.call({ type: 'dispose' }).catch(() => undefined);
    this.worker.terminate();
  }
}
