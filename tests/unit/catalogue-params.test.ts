/**
 * The catalogue's parameter counts of the embedded models are the models' own: the tensors stored
 * in each ONNX graph (tied lm_head counted once) and, independently, the shapes config.json
 * implies. (The catalogue once said 0.78M for tiny-a after the models grew to 1.71M.)
 */
import { readFileSync } from 'node:fs';
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
});
