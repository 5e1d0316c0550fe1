/**
 * The page's handle on one training run in a module worker: forwards controls, turns worker
 * messages into callbacks, and turns a worker crash into an error that names the last saved step
 * (the checkpoint in IndexedDB survives it). Stop finishes the step first; `kill` ends it at once.
 */
import type { FromTrainWorker, ProbeResult, ToTrainWorker, TrainJobSpec, TrainMetrics } from '../../train/protocol.js';

export interface TrainCallbacks {
  onPhase?(phase: string, detail?: string): void;
  onMetrics?(m: TrainMetrics): void;
  onProbe?(step: number, results: ProbeResult[]): void;
  onSaved?(id: string, step: number): void;
  onPaused?(step: number): void;
}

/** One run: `done` settles when the worker finishes, fails (its one message) or crashes. */
export class TrainRun {
  readonly done: Promise<{ step: number; stopped: boolean; id: string }>;
  private readonly worker: Worker;
  private savedStep: number | null = null;
  private fail: (e: Error) => void = () => {};

  constructor(spec: TrainJobSpec, cb: TrainCallbacks, worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('../../../workers/train.worker.ts', import.meta.url), { type: 'module' });
    this.done = new Promise((resolve, reject) => {
      this.fail = reject;
      this.worker.onmessage = (ev: MessageEvent<FromTrainWorker>) => {
        const m = ev.data;
        switch (m.type) {
          case 'phase':
            return cb.onPhase?.(m.phase, m.detail);
          case 'metrics':
            return cb.onMetrics?.(m.metrics);
          case 'probe':
            return cb.onProbe?.(m.step, m.results);
          case 'saved':
            this.savedStep = m.step;
            return cb.onSaved?.(m.id, m.step);
          case 'paused':
            return cb.onPaused?.(m.step);
          case 'done':
            this.worker.terminate();
            return resolve(m);
          case 'error':
            this.worker.terminate();
            return reject(new Error(m.message));
        }
      };
      this.worker.onerror = (ev) => {
        ev.preventDefault();
        this.worker.terminate();
        reject(new Error(`The training worker crashed (${ev.message || 'no message'}). ${this.kept()}`));
      };
    });
    this.send({ type: 'start', spec });
  }

  private send(m: ToTrainWorker): void {
    this.worker.postMessage(m);
  }

  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  /** In paused mode: run exactly one more step. */
  step(): void {
    this.send({ type: 'step' });
  }
  /** Finish the current step, save, and end the run. */
  stop(): void {
    this.send({ type: 'stop' });
  }
  /**
   * End the run at once, mid-step, for a worker that does not come back from a step (Stop waits
   * for the step to finish). `done` rejects with a message naming the kept checkpoint; a save cut
   * off here leaves the previous record whole (one IndexedDB transaction).
   */
  kill(): void {
    this.worker.terminate();
    this.fail(new Error(`Training was ended at once, without finishing its step. ${this.kept()}`));
  }

  private kept(): string {
    return this.savedStep !== null ? `The checkpoint saved at step ${this.savedStep} is kept: Resume continues from it.` : 'No checkpoint had been saved yet.';
  }
}
