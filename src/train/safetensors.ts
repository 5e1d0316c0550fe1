/**
 * The safetensors format (8-byte little-endian header length, JSON header, raw little-endian
 * data), float32 only: enough to export checkpoints with Hugging Face parameter names and to read
 * them back (resume, tests).
 */
import type { NamedTensor } from './onnx-weights.js';

/** Serialise tensors (sorted by name, as the reference implementation does). */
export function encodeSafetensors(tensors: Map<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } };
  let offset = 0;
  for (const n of names) {
    const t = tensors.get(n)!;
    const bytes = t.data.length * 4;
    header[n] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned.
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const n of names) {
    const d = tensors.get(n)!.data;
    const le = new DataView(out.buffer, at, d.length * 4);
    for (let i = 0; i < d.length; i++) le.setFloat32(i * 4, d[i]!, true);
    at += d.length * 4;
  }
  return out;
}

/** Parse a float32 safetensors file; errors name the file and the tensor. */
export function decodeSafetensors(bytes: Uint8Array, file = 'model.safetensors'): { tensors: Map<string, NamedTensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${file}: too short to be a safetensors file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`${file}: header length ${n} runs past the end of the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${file}: the header is not JSON (${(e as Error).message})`);
  }
  const tensors = new Map<string, NamedTensor>();
  const base = 8 + n;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const t = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (t.dtype !== 'F32') throw new Error(`${file}: tensor ${name} is ${t.dtype}; only F32 is supported`);
    const [s, e] = t.data_offsets;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (e - s !== count * 4 || base + e > bytes.length) throw new Error(`${file}: tensor ${name} has a bad data range`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(base + s + i * 4, true);
    tensors.set(name, { shape: t.shape.slice(), data });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
