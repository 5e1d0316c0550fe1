/**
 * Keyboard navigation of the search tree, as pure functions (like `sl-tree`): ↑/↓ move through the
 * visible items, → expands or enters the first child, ← collapses or goes to the parent,
 * Home/End jump to the first/last item, Enter toggles a subtree.
 */
import type { TreeNode } from '../../mcts/tree.js';

type Shape = Pick<TreeNode, 'id' | 'parent' | 'children'>;

/** Children of `id` that exist at this replay step. */
export function shownChildren(nodes: readonly Shape[], exists: readonly boolean[], id: number): number[] {
  return (nodes[id]?.children ?? []).filter((c) => exists[c]);
}

/** Existing node ids in display (pre-)order, skipping the insides of collapsed subtrees. */
export function visibleItems(nodes: readonly Shape[], exists: readonly boolean[], collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  if (!nodes.length || !exists[0]) return out;
  const stack = [0];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    if (!collapsed.has(id)) stack.push(...shownChildren(nodes, exists, id).reverse());
  }
  return out;
}

export interface NavResult {
  selected: number;
  /** Set when the key expands or collapses a subtree. */
  collapsed?: Set<number>;
}

/** What a key does in the tree; null when the key is not a tree key. */
export function navigate(key: string, selected: number, nodes: readonly Shape[], exists: readonly boolean[], collapsed: ReadonlySet<number>): NavResult | null {
  const items = visibleItems(nodes, exists, collapsed);
  if (!items.length) return null;
  const at = Math.max(0, items.indexOf(selected));
  const cur = items[at]!;
  const kids = shownChildren(nodes, exists, cur);
  const toggled = (open: boolean) => {
    const next = new Set(collapsed);
    if (open) next.delete(cur);
    else next.add(cur);
    return next;
  };
  switch (key) {
    case 'ArrowDown':
      return { selected: items[Math.min(items.length - 1, at + 1)]! };
    case 'ArrowUp':
      return { selected: items[Math.max(0, at - 1)]! };
    case 'Home':
      return { selected: items[0]! };
    case 'End':
      return { selected: items[items.length - 1]! };
    case 'ArrowRight':
      if (!kids.length) return { selected: cur };
      return collapsed.has(cur) ? { selected: cur, collapsed: toggled(true) } : { selected: kids[0]! };
    case 'ArrowLeft':
      if (kids.length && !collapsed.has(cur)) return { selected: cur, collapsed: toggled(false) };
      return { selected: nodes[cur]?.parent ?? cur };
    case 'Enter':
      return kids.length ? { selected: cur, collapsed: toggled(collapsed.has(cur)) } : { selected: cur };
    default:
      return null;
  }
}
