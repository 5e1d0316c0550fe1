#!/usr/bin/env bash
# Regenerates both embedded models from fixed seeds (build-time only; CI never trains).
#   bash tools/train-tiny/train.sh            # corpus → train tiny-a ‖ tiny-b → export → evaluate
# Needs: Debian's python3-torch python3-onnx python3-numpy libopenblas0-pthread, and `npm install`.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}
STEPS=${STEPS:-1800}
OUT=tools/train-tiny/out
mkdir -p "$OUT"
start=$(date +%s)
npx tsx tools/train-tiny/make-corpus.ts --out "$OUT"
# One thread each, side by side: on 2 cores this beats two threads one after the other.
$PY tools/train-tiny/train.py --model tiny-a --steps "$STEPS" --threads 1 > "$OUT/tiny-a.log" 2>&1 &
pa=$!
$PY tools/train-tiny/train.py --model tiny-b --steps "$STEPS" --threads 1 > "$OUT/tiny-b.log" 2>&1 &
pb=$!
wait $pa
wait $pb
echo "training done in $(( $(date +%s) - start ))s"
npx tsx tools/train-tiny/evaluate.ts --out "$OUT"
echo "total $(( $(date +%s) - start ))s"
