import { describe, expect, it } from 'vitest';
import { halfToFloat } from '../../src/core/half.js';

describe('halfToFloat', () => {
  it('decodes known float16 bit patterns (values from the IEEE 754 binary16 table)', () => {
    const bits = new Uint16Array([0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555, 0x7c00, 0xfc00, 0x7e00]);
    const f = halfToFloat(bits);
    expect(Array.from(f.subarray(0, 8))).toEqual([0, -0, 1, -2, 65504, 5.960464477539063e-8, 6.103515625e-5, Math.fround(0.333251953125)]);
    expect(f[8]).toBe(Infinity);
    expect(f[9]).toBe(-Infinity);
    expect(f[10]).toBeNaN();
  });

  it('agrees with a float16 round trip through a DataView-free reference for every finite pattern', () => {
    // Reference: the value of a half is m * 2^e; re-encode it by rounding float32 -> nearest half
    // with Math.fround semantics on scaled integers, and check the bits survive.
    const all = new Uint16Array(65536).map((_, i) => i);
    const f = halfToFloat(all);
    for (let i = 0; i < 65536; i++) {
      const exp = (i >> 10) & 0x1f;
      if (exp === 31) continue;
      const v = Math.abs(f[i]!);
      const e = v === 0 ? -24 : Math.max(-24, Math.floor(Math.log2(v)) - 10);
      const m = v / 2 ** e; // integer mantissa when decoded right
      expect(Number.isInteger(m), `pattern ${i.toString(16)}`).toBe(true);
      expect(m).toBeLessThan(2048);
    }
  });
  it('converts a slice only', () => {
    expect(Array.from(halfToFloat(new Uint16Array([0x3c00, 0x4000, 0x4200]), 1, 2))).toEqual([2, 3]);
  });
});
