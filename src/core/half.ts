/**
 * IEEE 754 binary16 (float16) to float32, for q4f16 models whose logits come back as float16 bits
 * (Uint16Array) and for runtimes without Float16Array (Node 20). Only the rows JavaScript needs are
 * converted; KV stays float16 and is never converted.
 */

let table: Float32Array | null = null;

function decode(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal (and ±0)
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** float32 values of `bits[from, from + count)` (float16 bit patterns). */
export function halfToFloat(bits: Uint16Array, from = 0, count = bits.length - from): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) table[i] = decode(i);
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = table[bits[from + i]!]!;
  return out;
}
