/** A model folder with a missing file fails with the file's path and how to restore it. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNodeEngine, MODELS_DIR } from '../../src/engines/ort/node.js';

describe('loadNodeEngine', () => {
  it('names a missing model file and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-model-'));
    try {
      for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) cpSync(join(MODELS_DIR, 'tiny-a', f), join(dir, f));
      await expect(loadNodeEngine('tiny-a', { dir })).rejects.toThrow(/onnx\/model\.onnx is missing.*git checkout -- models/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
