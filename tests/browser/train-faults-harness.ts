/**
 * Browser side of tests/browser/train-faults.test.ts: a real training run (TrainRun, the real
 * worker behind tests/browser/train-faults.worker.ts) driven step by step, with one fault delivered
 * after the checkpoint of step 1 is saved, and the checkpoint store read back afterwards.
 */
import { parseDpoRows } from '../../src/data/trees-io.js';
import { createWebEngine } from '../../src/engines/ort/web.js';
import { CheckpointStore, ENGINE_FILES } from '../../src/store/checkpoints.js';
import { DEFAULT_SETTINGS } from '../../src/train/trainer.js';
import { TrainRun } from '../../src/ui/train/train-client.js';

type Fault = 'lose-device' | 'quota' | 'hold-put';

interface FaultResult {
  /** TrainRun's rejection message ('' if the run finished; 'held' when a save is held open). */
  message: string;
  saved: number[];
  /** The stored checkpoint as it was before the fault (after step 1). */
  before: Awaited<ReturnType<typeof readCheckpoint>> | null;
  elapsedMs: number;
}

let worker: Worker | null = null;

/**
 * Train `steps` steps in step mode on `device`, saving every step; once step 1 is saved, deliver
 * `fault` and ask for step 2. `hold-put` resolves as soon as the next save is held open.
 */
async function faultRun(rowsText: string, id: string, device: 'webgpu' | 'wasm', fault: Fault): Promise<FaultResult> {
  const t0 = performance.now();
  worker = new Worker(new URL('./train-faults.worker.ts', import.meta.url), { type: 'module' });
  const saved: number[] = [];
  let before: FaultResult['before'] = null;
  let held: () => void = () => {};
  const putHeld = new Promise<void>((r) => (held = r));
  worker.addEventListener('message', (ev: MessageEvent<{ type: string }>) => {
    if (ev.data.type === 'test:put-held') held();
  });
  const run: TrainRun = new TrainRun(
    {
      base: 'tiny-a', baseUrl: '/models/tiny-a/', device, dpoRows: parseDpoRows(rowsText, 'p.jsonl'), dataName: 'p.jsonl', settings: { ...DEFAULT_SETTINGS, steps: 3, microBatch: 2 },
      batch: 2, seed: 1, probeEvery: 1, probes: { family: 'letters', count: 1, seed: 1, maxTokens: 4 }, checkpointId: id, name: `fault ${fault}`, paused: true,
    },
    {
      onSaved: (_, step) => saved.push(step),
      onPaused: async (step) => {
        if (step === 1) {
          before = await readCheckpoint(id);
          if (fault === 'lose-device') {
            // Step 2 starts, then the device goes while it runs.
            run.step();
            worker!.postMessage({ type: 'test:lose-device' });
            return;
          }
          if (fault === 'quota') worker!.postMessage({ type: 'test:quota-on-next-put' });
          if (fault === 'hold-put') worker!.postMessage({ type: 'test:hold-next-put' });
        }
        run.step();
      },
    },
    worker,
  );
  const outcome = run.done.then(
    () => '',
    (e: Error) => e.message,
  );
  const message = fault === 'hold-put' ? await Promise.race([putHeld.then(() => 'held'), outcome]) : await outcome;
  return { message, saved, before, elapsedMs: performance.now() - t0 };
}

/** The stored record: its step, file names and sizes, and whether the checkpoint generates text in onnxruntime-web. */
async function readCheckpoint(id: string, generate = false) {
  const store = await CheckpointStore.open();
  try {
    const rec = await store.get(id);
    let text: string | null = null;
    if (generate) {
      const engine = await createWebEngine(`${id}-check`, ENGINE_FILES.map((f) => rec.files[f]!), 'wasm', 0);
      const [c] = await engine.generate({ messages: [{ role: 'user', content: 'How many r in "rare"?' }], n: 1, temperature: 0, maxTokens: 8, seed: 0 });
      text = c!.text;
      await engine.dispose();
    }
    return { step: rec.step, consumed: rec.consumed, metrics: rec.metrics.map((m) => m.step), files: Object.fromEntries(Object.entries(rec.files).map(([k, v]) => [k, v.byteLength])), text };
  } finally {
    store.close();
  }
}

(globalThis as unknown as { labTest: unknown }).labTest = { faultRun, readCheckpoint };
document.getElementById('status')!.textContent = 'ready';
