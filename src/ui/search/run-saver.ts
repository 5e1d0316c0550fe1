/**
 * Saves a search to the run store as it goes: a `search` run with a `spec` item, the event log in
 * `event` items (each event with the nodes it touched) appended once per rollout, and the final
 * `tree`. Appends run one after another; a failed save is reported and never stops the search.
 */
import { touchedNodes } from '../../engines/search-rpc.js';
import type { SearchSpec } from '../../mcts/search-spec.js';
import type { Tree, TreeEvent } from '../../mcts/tree.js';
import type { LabStore, RunMeta } from '../../store/db.js';

export class RunSaver {
  private chain: Promise<unknown>;
  private buffer: { type: string; payload: unknown }[] = [];
  private sentNodes = 0;
  private broken = false;

  constructor(
    private readonly store: LabStore,
    readonly runId: string,
    title: string,
    spec: SearchSpec,
    private readonly onError: (e: Error) => void,
  ) {
    this.chain = this.guard(store.createRun({ id: runId, kind: 'search', title, config: { ...spec } }).then(() => store.append(runId, [{ type: 'spec', payload: spec }])));
  }

  private guard<T>(p: Promise<T>): Promise<T | undefined> {
    return p.catch((e: Error) => {
      if (!this.broken) this.onError(e);
      this.broken = true;
      return undefined;
    });
  }

  /** Record one event (call in order, with the tree as it is right after the event). */
  event(e: TreeEvent, tree: Tree, index: number): void {
    this.buffer.push({ type: 'event', payload: { index, event: e, nodes: structuredClone(touchedNodes(tree, e, this.sentNodes)) } });
    this.sentNodes = tree.nodes.length;
    if (e.type === 'backprop' || e.type === 'backtrack') this.flush();
  }

  /** Append what is buffered (with an optional run patch). */
  flush(patch: Partial<Pick<RunMeta, 'status'>> = {}): Promise<unknown> {
    const items = this.buffer;
    this.buffer = [];
    if (!items.length && !Object.keys(patch).length) return this.chain;
    this.chain = this.chain.then(() => (this.broken ? undefined : this.guard(this.store.append(this.runId, items, patch))));
    return this.chain;
  }

  /** Save the final tree (if any) and the run's status; resolves when everything is written. */
  finish(status: RunMeta['status'], tree: Tree | null): Promise<unknown> {
    if (tree) this.buffer.push({ type: 'tree', payload: tree });
    return this.flush({ status });
  }
}
