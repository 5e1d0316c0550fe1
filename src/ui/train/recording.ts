/**
 * Recorded training runs (public/demos/train-*.json, written by tools/make-train-demos.ts from
 * bench/post-training.ts): the Train view shows one while a lesson step is open and nothing is
 * being trained, so the screen is never empty.
 */
import type { TrainMetrics } from '../../train/protocol.js';

export interface TrainRecording {
  schema: 'reasoning-lab/train-recording@1';
  title: string;
  /** The command that made it. */
  command: string;
  metrics: TrainMetrics[];
  /** One line on the held-out evaluation of the trained checkpoint. */
  evaluation?: string;
}

export async function loadTrainRecording(name: string, fetchImpl: (u: string) => Promise<Response> = (u) => fetch(u)): Promise<TrainRecording> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`recorded run "${name}": not a recording name`);
  const url = `${import.meta.env?.BASE_URL ?? '/'}demos/${name}.json`;
  const res = await fetchImpl(url);
  if (!res.ok) throw new Error(`recorded run ${name}: ${url} answered HTTP ${res.status}`);
  const rec = (await res.json()) as TrainRecording;
  if (rec.schema !== 'reasoning-lab/train-recording@1' || !Array.isArray(rec.metrics)) throw new Error(`recorded run ${name}: not a train recording (schema ${String(rec.schema)})`);
  return rec;
}
