/**
 * `lab.train(...)` on the DevTools console: trains in a worker, as the Train view does, and
 * resolves with the metrics of every step and the checkpoint id.
 *   await lab.train({ pairs: [{ prompt: 'q', chosen: 'a', rejected: 'b' }], steps: 3 })
 *   await lab.train({ model: 'tiny-b', sft: [{ messages: [...] }], objective: 'sft', device: 'webgpu' })
 */
import type { DpoRow, SftRow } from '../../data/trees-io.js';
import type { ProbeResult, TrainMetrics } from '../../train/protocol.js';
import { DEFAULT_TRAIN_SETTINGS, trainerSettings, type TrainViewSettings } from './settings.js';
import { TrainRun } from './train-client.js';

export interface ConsoleTrainOptions extends Partial<TrainViewSettings> {
  /** DPO pairs: plain strings (prompt, chosen, rejected). */
  pairs?: { prompt: string; chosen: string; rejected: string }[];
  /** SFT rows: chat messages ending with the assistant's. */
  sft?: { messages: { role: 'system' | 'user' | 'assistant'; content: string }[] }[];
  onStep?(m: TrainMetrics): void;
}

export async function consoleTrain(o: ConsoleTrainOptions): Promise<{ metrics: TrainMetrics[]; probes: { step: number; results: ProbeResult[] }[]; checkpoint: string }> {
  const s: TrainViewSettings = { ...DEFAULT_TRAIN_SETTINGS, probeEvery: 0, ...o, objective: o.objective ?? (o.sft ? 'sft' : 'sigmoid') };
  const dpoRows: DpoRow[] | undefined = o.pairs?.map((p, i) => ({ id: String(i), line: i + 1, prompt: p.prompt, chosen: p.chosen, rejected: p.rejected, commonPrefixChars: null }));
  const sftRows: SftRow[] | undefined = o.sft?.map((r, i) => {
    const last = r.messages[r.messages.length - 1];
    if (!last || last.role !== 'assistant') throw new Error(`lab.train: sft[${i}]: the last message must be the assistant's`);
    return { line: i + 1, messages: r.messages.slice(0, -1), completion: last.content };
  });
  if (s.objective === 'sft' ? !sftRows?.length : !dpoRows?.length) throw new Error(`lab.train: give ${s.objective === 'sft' ? 'sft: [{ messages }]' : 'pairs: [{ prompt, chosen, rejected }]'}`);
  const metrics: TrainMetrics[] = [];
  const probes: { step: number; results: ProbeResult[] }[] = [];
  const device = s.device || 'wasm';
  const run = new TrainRun(
    {
      base: s.model, baseUrl: `${import.meta.env.BASE_URL}models/${s.model}/`, device, dataName: 'lab.train', ...(dpoRows ? { dpoRows } : {}), ...(sftRows ? { sftRows } : {}),
      settings: trainerSettings(s), batch: s.batch, seed: s.seed, probeEvery: s.probeEvery, probes: { family: s.probeFamily, count: 3, seed: 4242, maxTokens: 256 },
      checkpointId: `ckpt-console-${Date.now().toString(36)}`, name: `${s.model} · console`,
    },
    { onMetrics: (m) => (metrics.push(m), o.onStep?.(m)), onProbe: (step, results) => probes.push({ step, results }) },
  );
  const r = await run.done;
  return { metrics, probes, checkpoint: r.id };
}
