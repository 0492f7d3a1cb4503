#!/bin/bash
# W1 against the C posix_spawn baseline in the same minute, for one or more pilot builds:
# each round runs the C loop (k=2), then `pilot bench w1` once per build, and prints tasks/s,
# pilot CPU µs per task and the ratio to that round's C figure. The VM's speed moves within
# minutes, so only ratios from the same round compare.
# Usage: Benchmarks/w1-interleaved.sh ROUNDS N PILOT_BINARY...   (PF=prefetch, default 4)
# Needs the baseline: gcc -O2 /work/shared/bench/peers/spawn_baseline.c -o /tmp/spawn_baseline
set -euo pipefail
rounds=$1; n=$2; shift 2
baseline=${SPAWN_BASELINE:-/tmp/spawn_baseline}
for _ in $(seq "$rounds"); do
    c=$("$baseline" "$n" 2 | python3 -c "import sys, json; print(json.load(sys.stdin)['spawns_per_s'])")
    line="C k=2 $c/s"
    for b in "$@"; do
        r=$("$b" bench w1 --n "$n" --reps 1 --prefetch "${PF:-4}" 2>/dev/null | python3 -c "
import sys, json
d = [json.loads(l) for l in sys.stdin][-1]
print(round(d['tasks_per_s']), 'tasks/s', round(d['pilot_cpu_us_per_task']), 'us/task', round(d['tasks_per_s'] / $c, 3), 'x C')")
        line="$line | $b: $r"
    done
    echo "$line"
done
