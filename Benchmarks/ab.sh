#!/usr/bin/env bash
# Two builds of `pilot`, interleaved in the same minutes (A B A B ...), on W1, W2, W5 and the
# scheduler core. Every JSON line goes to OUT with the build it came from; a summary follows.
#   Benchmarks/ab.sh OLD_PILOT NEW_PILOT [ROUNDS] [OUT]
set -euo pipefail
A=$1; B=$2; ROUNDS=${3:-3}; OUT=${4:-/tmp/pilot-ab.jsonl}
: > "$OUT"
run() {  # build label, then the bench subcommand and its arguments
  local bin=$1 label=$2; shift 2
  "$bin" bench "$@" 2>/dev/null | grep '^{' | jq -c --arg b "$label" '. + {build: $b}' >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  for pair in "A $A" "B $B"; do
    set -- $pair
    run "$2" "$1" w1 --n 2000 --reps 1
    run "$2" "$1" w2 --n 20000 --reps 1
    run "$2" "$1" w5 --n 2000 --reps 1
    run "$2" "$1" scheduler --agents 1000 --cores 64 --queue 200000 --rounds 20
  done
done
jq -rs '
  group_by(.workload) | .[] | . as $w |
  ($w[0].workload) as $name |
  ([ $w[] | select(.build=="A") ] ) as $a | ([ $w[] | select(.build=="B") ]) as $b |
  "\($name): A=\([$a[] | (.tasks_per_s // .decisions_per_s // .p50_ms // .bind_p50_ms)] | map(tostring) | join(",")) B=\([$b[] | (.tasks_per_s // .decisions_per_s // .p50_ms // .bind_p50_ms)] | map(tostring) | join(","))"
' "$OUT"
