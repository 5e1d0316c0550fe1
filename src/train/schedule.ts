/** Learning-rate schedules: linear warm-up, then constant, linear or cosine decay to zero. */
export type ScheduleKind = 'constant' | 'linear' | 'cosine';

/** Learning rate at `step` (0-based) of `total` steps. */
export function learningRate(step: number, total: number, peak: number, warmup: number, kind: ScheduleKind): number {
  if (warmup > 0 && step < warmup) return (peak * (step + 1)) / warmup;
  if (kind === 'constant' || total <= warmup) return peak;
  const p = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return kind === 'linear' ? peak * (1 - p) : peak * 0.5 * (1 + Math.cos(Math.PI * p));
}
