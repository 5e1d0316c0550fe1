/** Evaluate-view results and how they are rebuilt from a saved `eval` run (pure). */
import type { ProblemRecord, TestNSummary } from '../../eval/testn.js';
import type { RunItem } from '../../store/db.js';

export interface EvalResult {
  label: string;
  model: string;
  decode: 'sample' | 'mcts';
  summary: TestNSummary;
  problems: ProblemRecord[];
  stopped?: boolean;
}

/** Rebuild results from a saved eval run's items ('summary' and 'problem'). */
export function resultsFromItems(items: readonly Pick<RunItem, 'type' | 'payload'>[]): EvalResult[] {
  const problems = new Map<string, ProblemRecord[]>();
  for (const it of items) {
    if (it.type !== 'problem') continue;
    const p = it.payload as { run: string; record: ProblemRecord };
    problems.set(p.run, [...(problems.get(p.run) ?? []), p.record]);
  }
  return items
    .filter((it) => it.type === 'summary')
    .map((it) => {
      const p = it.payload as { run: string; model: string; decode: 'sample' | 'mcts'; summary: TestNSummary; stopped?: boolean };
      return { label: p.run, model: p.model, decode: p.decode, summary: p.summary, problems: problems.get(p.run) ?? [], ...(p.stopped ? { stopped: true } : {}) };
    });
}
