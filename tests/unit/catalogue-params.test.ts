/**
 * The catalogue's parameter counts of the embedded models are the models' own: the tensors stored
 * in each ONNX graph (tied lm_head counted once) and, independently, the shapes config.json
 * implies. (The catalogue once said 0.78M for tiny-a after the models grew to 1.71M.) The download
 * size the Models view shows is the files a load fetches (it said 3.4 MB for 7.3 MB of fp32 files).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/core/catalogue.js';
import { MODELS_DIR } from '../../src/engines/ort/node.js';
import { modelConfig, parameterShapes } from '../../src/train/model.js';
import { readHfWeights } from '../../src/train/onnx-weights.js';

describe('catalogue parameter counts', () => {
  for (const m of catalogue().filter((e) => e.embedded))
    it(`${m.id}: the catalogue, the ONNX tensors and config.json agree`, () => {
      const dir = join(MODELS_DIR, m.path!);
      const stored = [...readHfWeights(new Uint8Array(readFileSync(join(dir, 'onnx/model.onnx')))).values()].reduce((a, t) => a + t.data.length, 0);
      const fromConfig = parameterShapes(modelConfig(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')))).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0);
      expect(stored).toBe(fromConfig);
      expect(m.params).toBe(stored);
      expect(m.name).toContain(`${(stored / 1e6).toFixed(2)}M params`);
    });

  for (const m of catalogue().filter((e) => e.embedded))
    it(`${m.id}: the download size is that of the files a load fetches`, () => {
      const dir = join(MODELS_DIR, m.path!);
      const files = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', m.onnxFile ?? 'onnx/model.onnx'];
      const bytes = files.reduce((a, f) => a + statSync(join(dir, f)).size, 0);
      expect(m.sizeMB).toBe(Number((bytes / 1e6).toFixed(1)));
    });
});
