import { catalogue } from '../../src/core/catalogue.js';

/** The ONNX file option for an embedded catalogue id (the q4f16 twin lives in tiny-a's folder). */
export function embeddedOnnxFile(id: string): { onnxFile?: string } {
  const f = catalogue().find((e) => e.id === id)?.onnxFile;
  return f ? { onnxFile: f } : {};
}
