#!/usr/bin/env bash
# Issue 10's GPU checks in one short run (bench/gpu.py says what each part measures):
#   bash bench/gpu.sh                       # CUDA, real-size random weights, bf16
#   bash bench/gpu.sh --device cpu --tiny   # dry run on tiny checkpoints (tests/test_gpu_bench.py)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" bench/gpu.py "$@"
