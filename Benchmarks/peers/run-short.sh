#!/bin/sh
# One interleaved run of the peer harness's short matrix (W1 N=2000, W2 N=10000, W3 N=200) for
# HyperQueue, Dask and SwiftPilot, with the C posix_spawn baselines at the start and the end and a
# C canary before every step. Needs the peers' venv: bash /work/shared/bench/peers/setup.sh /tmp/peers-bench
# Usage: Benchmarks/peers/run-short.sh [results.jsonl]   (build first: swift build -c release --product pilot)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
harness=${HARNESS:-/work/shared/bench/peers}
out=${1:-/tmp/peers-bench/results-swiftpilot.jsonl}
python3 "$harness/bench_all.py" --short --only hyperqueue,dask \
    --ext swiftpilot="$here/swiftpilot-ext.sh" --results "$out"
python3 "$harness/summarize.py" "$out"
