"""Build the q4f16 twin of an embedded model with onnxruntime's own tooling.

The onnx-community `model_q4f16.onnx` builds in the catalogue take float16 past key/values and
return float16 logits, with 4-bit block-quantised MatMul weights (`MatMulNBits`). This tool makes
the same kind of graph from an embedded fp32 model, so the runner's 1B code path (float16 KV and
logits, MatMulNBits) runs end to end on a model small enough to ship and test everywhere:

  1. onnxruntime.transformers.float16.convert_float_to_float16 (keep_io_types=False): float16
     activations, KV and logits; int64 ids/mask/positions unchanged.
  2. onnxruntime.quantization.matmul_nbits_quantizer.MatMulNBitsQuantizer: int4, block 32,
     symmetric (no zero points), MatMul -> com.microsoft MatMulNBits.

No GroupQueryAttention: that fusion comes from onnxruntime-genai's model builder, which works from
Hugging Face checkpoints and is not part of onnxruntime; our attention stays as plain ops.

Usage (build time only; needs onnxruntime==1.30.0, onnx, numpy in a venv):
  python tools/q4f16/make_q4f16.py models/tiny-a/onnx/model.onnx models/tiny-a/onnx/model_q4f16.onnx
"""
import sys

import onnx
from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
from onnxruntime.transformers.float16 import convert_float_to_float16


def main(src: str, dst: str) -> None:
    model = onnx.load(src)
    # Cast is kept in the block list by default; everything numeric becomes float16, values
    # beyond float16's range (the causal mask's -3.4e38) are clamped to +-65504 by the converter.
    half = convert_float_to_float16(model, keep_io_types=False, disable_shape_infer=False)
    quant = MatMulNBitsQuantizer(half, bits=4, block_size=32, is_symmetric=True, accuracy_level=4)
    quant.process()
    out = quant.model.model
    out.producer_name = 'reasoning-lab tools/q4f16 (onnxruntime 1.30 float16 + MatMulNBitsQuantizer)'
    onnx.checker.check_model(out)
    onnx.save(out, dst)
    ops = {}
    for n in out.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    print(f'{dst}: {sum(1 for _ in out.graph.initializer)} initializers; MatMulNBits {ops.get("MatMulNBits", 0)}, MatMul left {ops.get("MatMul", 0)}')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: make_q4f16.py IN.onnx OUT.onnx')
    main(sys.argv[1], sys.argv[2])
