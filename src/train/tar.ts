/**
 * A minimal ustar archive (regular files only): one file that carries a checkpoint folder from the
 * browser to `lab` and back. Pure; 512-byte headers, octal sizes, NUL padding.
 */
const BLOCK = 512;
const enc = new TextEncoder();
const dec = new TextDecoder();

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** Pack `files` (relative path → bytes) into a tar archive. */
export function packTar(files: Map<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, data] of files) {
    if (enc.encode(name).length > 99) throw new Error(`tar: path "${name}" is longer than 99 bytes`);
    const h = new Uint8Array(BLOCK);
    const put = (s: string, off: number) => h.set(enc.encode(s), off);
    put(name, 0);
    put(octal(0o644, 8), 100);
    put(octal(0, 8), 108);
    put(octal(0, 8), 116);
    put(octal(data.length, 12), 124);
    put(octal(0, 12), 136);
    put('        ', 148); // checksum counts as spaces
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    const sum = h.reduce((a, b) => a + b, 0);
    put(octal(sum, 7) + ' ', 148);
    parts.push(h, data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Unpack a tar archive's regular files; errors name the archive and what is wrong. */
export function unpackTar(bytes: Uint8Array, file = 'archive.tar'): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const h = bytes.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const str = (off: number, len: number) => dec.decode(h.subarray(off, off + len)).replace(/\0.*$/s, '');
    const name = str(0, 100);
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const sum = parseInt(str(148, 8).trim(), 8);
    let check = 0;
    for (let i = 0; i < BLOCK; i++) check += i >= 148 && i < 156 ? 32 : h[i]!;
    if (!Number.isFinite(size) || sum !== check) throw new Error(`${file}: not a tar archive (bad header at byte ${at})`);
    const type = str(156, 1);
    const start = at + BLOCK;
    if (start + size > bytes.length) throw new Error(`${file}: ${name} runs past the end of the archive (truncated download?)`);
    if (type === '0' || type === '') out.set(name.replace(/^\.\//, ''), bytes.slice(start, start + size));
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (out.size === 0) throw new Error(`${file}: the archive holds no files`);
  return out;
}
