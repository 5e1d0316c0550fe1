/**
 * The WGSL of the masked log-prob kernel (masked-logprobs.ts): pass 1 ("partials", one workgroup
 * per (row, vocabulary chunk), online log-sum-exp with subgroup or shared-memory reductions) and
 * pass 2 ("finalize", one workgroup per sequence, fixed-order reductions).
 */
import { WORKGROUP_SIZE } from './tile-plan.js';

/** WGSL of pass 1 (one workgroup per (row, chunk)). */
/** WGSL: merge two (max, sum of exp relative to max) pairs — the online log-sum-exp step, shared by both passes. */
const MERGE_WGSL = `// Merge two (max, sum-of-exp relative to max) pairs.
fn merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let m = max(a.x, b.x);
  return vec2<f32>(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
}`;

export function partialsShader(useSubgroups: boolean, subgroupIdBuiltin: boolean, workgroupSize = WORKGROUP_SIZE): string {
  const sgBuiltins = useSubgroups ? (subgroupIdBuiltin ? ', @builtin(subgroup_id) sgId: u32, @builtin(num_subgroups) numSg: u32, @builtin(subgroup_invocation_id) lane: u32' : ', @builtin(subgroup_size) sgSize: u32, @builtin(subgroup_invocation_id) lane: u32') : '';
  const reduce = useSubgroups
    ? /* wgsl */ `
  // Subgroup level: every lane ends with its subgroup's (max, sum).
  let M = subgroupMax(m);
  let S = subgroupAdd(s * exp(m - M));
  ${subgroupIdBuiltin ? 'let sid = sgId;\n  let nsg = numSg;' : '// Assumes subgroups cover consecutive local indices (no subgroup_id builtin here).\n  let sid = lid / sgSize;\n  let nsg = (WG + sgSize - 1u) / sgSize;'}
  if (lane == 0u) { shM[sid] = M; shS[sid] = S; }
  if (lid == 0u) { wgN = nsg; }
  let n = workgroupUniformLoad(&wgN); // also a barrier: the subgroup results are visible
  // Across subgroups: fixed-order tree over the n subgroup results.
  var span = 1u;
  while (span < n) { span = span << 1u; }
  for (var st = span >> 1u; st > 0u; st = st >> 1u) {
    if (lid < st && lid + st < n) {
      let r = merge(vec2<f32>(shM[lid], shS[lid]), vec2<f32>(shM[lid + st], shS[lid + st]));
      shM[lid] = r.x;
      shS[lid] = r.y;
    }
    workgroupBarrier();
  }`
    : /* wgsl */ `
  shM[lid] = m;
  shS[lid] = s;
  workgroupBarrier();
  for (var st = WG / 2u; st > 0u; st = st >> 1u) {
    if (lid < st) {
      let r = merge(vec2<f32>(shM[lid], shS[lid]), vec2<f32>(shM[lid + st], shS[lid + st]));
      shM[lid] = r.x;
      shS[lid] = r.y;
    }
    workgroupBarrier();
  }`;
  return /* wgsl */ `${useSubgroups ? 'enable subgroups;\n' : ''}
struct Params {
  g0: u32,     // first global chunk of this tile
  n: u32,      // chunks in this tile
  nc: u32,     // chunks per row
  chunk: u32,  // elements per chunk
  vocab: u32,
  e0: u32,     // logical element index of the tile's first element
  shift: u32,  // binding-relative index of logical element e0
  wgx: u32,    // workgroups along x in this dispatch
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read> mask: array<u32>;
@group(0) @binding(4) var<storage, read_write> partials: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> reads: array<u32>;
@group(0) @binding(6) var<storage, read_write> tgtLogit: array<f32>;

const WG: u32 = ${workgroupSize}u;
// Finite "minus infinity": WGSL implementations may assume no infinities.
const NEG: f32 = -1.0e30;

var<workgroup> rowOn: u32;
var<workgroup> wgN: u32;
var<workgroup> shM: array<f32, WG>;
var<workgroup> shS: array<f32, WG>;

${MERGE_WGSL}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32${sgBuiltins}) {
  let k = wid.y * P.wgx + wid.x;
  if (k >= P.n) { return; }
  let g = P.g0 + k;
  let row = g / P.nc;
  let c = g - row * P.nc;
  if (lid == 0u) { rowOn = mask[row]; }
  if (workgroupUniformLoad(&rowOn) == 0u) { return; } // masked rows are not read at all
  let start = c * P.chunk;
  let len = min(P.chunk, P.vocab - start);
  let base = row * P.vocab + start - P.e0 + P.shift;
  let tRel = targets[row] - i32(start);
  // Online log-sum-exp, one exp per element: e = exp(-|x - m|) either rescales the running sum
  // (new max) or is the new term.
  var m = NEG;
  var s = 0.0;
  for (var i = lid; i < len; i += WG) {
    let x = logits[base + i];
    let d = x - m;
    let e = exp(-abs(d));
    s = select(s + e, s * e + 1.0, d > 0.0);
    m = max(m, x);
    if (i32(i) == tRel) { tgtLogit[row] = x; }
  }
${reduce}
  if (lid == 0u) {
    partials[g] = vec2<f32>(shM[0], shS[0]);
    reads[g] = len;
  }
}
`;
}

/** WGSL of pass 2 (one workgroup per sequence; deterministic fixed-order reductions). */
export function finalizeShader(): string {
  return /* wgsl */ `
struct Params {
  nc: u32,     // chunks per row
  nseq: u32,
  wgx: u32,
  pad: u32,
}
struct SeqOut {
  sum: f32,
  count: u32,
  reads: u32,
  pad: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read> partials: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> reads: array<u32>;
@group(0) @binding(4) var<storage, read> tgtLogit: array<f32>;
@group(0) @binding(5) var<storage, read> seqs: array<vec2<u32>>; // (first row, rows)
@group(0) @binding(6) var<storage, read_write> tokenLogps: array<f32>;
@group(0) @binding(7) var<storage, read_write> seqOut: array<SeqOut>;

const WG: u32 = ${WORKGROUP_SIZE}u;
const NEG: f32 = -1.0e30;

var<workgroup> shSum: array<f32, WG>;
var<workgroup> shCount: array<u32, WG>;
var<workgroup> shReads: array<u32, WG>;

${MERGE_WGSL}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = wid.y * P.wgx + wid.x;
  if (q >= P.nseq) { return; }
  let sq = seqs[q];
  var acc = 0.0;
  var cnt = 0u;
  var rd = 0u;
  for (var r = sq.x + lid; r < sq.x + sq.y; r += WG) {
    var lp = 0.0;
    if (mask[r] != 0u) {
      var p = vec2<f32>(NEG, 0.0);
      for (var c = 0u; c < P.nc; c++) {
        p = merge(p, partials[r * P.nc + c]);
        rd += reads[r * P.nc + c];
      }
      lp = (tgtLogit[r] - p.x) - log(p.y);
      cnt += 1u;
    }
    tokenLogps[r] = lp;
    acc += lp;
  }
  shSum[lid] = acc;
  shCount[lid] = cnt;
  shReads[lid] = rd;
  workgroupBarrier();
  for (var st = WG / 2u; st > 0u; st = st >> 1u) {
    if (lid < st) {
      shSum[lid] += shSum[lid + st];
      shCount[lid] += shCount[lid + st];
      shReads[lid] += shReads[lid + st];
    }
    workgroupBarrier();
  }
  if (lid == 0u) { seqOut[q] = SeqOut(shSum[0], shCount[0], shReads[0], 0u); }
}
`;
}

