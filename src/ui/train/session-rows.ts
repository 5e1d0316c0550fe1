/**
 * The rows the Train view trains on when its data is "the Data view": DPO rows are the Data view's
 * extracted pairs; SFT rows are the Data view's SFT paths of the session's trees, chosen by its
 * own settings (`dsft`, `dlen`, `drecipe` in the hash), byte for byte what `lab extract --sft`
 * writes and `lab train --sft` reads. With no trees (pairs imported as a DPO file) there are no
 * SFT paths, so SFT falls back to the pairs' chosen answers. Pure: no DOM.
 */
import type { DpoPair } from '../../data/extract.js';
import { parseSftRows, type DpoRow, type SftRow } from '../../data/trees-io.js';
import type { Tree } from '../../mcts/tree.js';
import { extract, sftJsonl, type DataSettings } from '../data/extraction.js';

export interface SessionRows {
  dpo: DpoRow[];
  sft: SftRow[];
  /** Where the SFT rows came from: the trees' SFT paths, or the pairs' chosen answers. */
  sftFrom: 'paths' | 'chosen';
}

export function sessionRows(trees: readonly Tree[], pairs: readonly DpoPair[], data: Pick<DataSettings, 'sft' | 'length' | 'recipe'>): SessionRows {
  const dpo = pairs.map((p, i) => ({ id: String(i), line: i + 1, prompt: p.question, chosen: p.chosen.text, rejected: p.rejected.text, commonPrefixChars: p.commonPrefixChars }));
  const paths = trees.length ? extract(trees, data).sft : [];
  if (paths.length) return { dpo, sft: parseSftRows(sftJsonl(paths), 'Data view SFT paths'), sftFrom: 'paths' };
  const sft = pairs.map((p, i) => ({ line: i + 1, messages: [{ role: 'user' as const, content: p.question }], completion: p.chosen.text }));
  return { dpo, sft, sftFrom: 'chosen' };
}
