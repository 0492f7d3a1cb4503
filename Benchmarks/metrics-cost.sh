#!/usr/bin/env bash
# The cost of metrics on W2 throughput: one `pilot` build, four configurations interleaved in the
# same minutes (off, on, on + a scraper every second, on + scraper + one live event-stream
# subscriber), ROUNDS times each, so the machine's background load falls on all of them alike.
#   Benchmarks/metrics-cost.sh PILOT [ROUNDS] [N] [OUT]
set -euo pipefail
PILOT=$1; ROUNDS=${2:-5}; N=${3:-20000}; OUT=${4:-/tmp/pilot-metrics-cost.jsonl}
: > "$OUT"
run() {  # label, then extra w2 arguments
  local label=$1; shift
  "$PILOT" bench w2 --n "$N" --reps 2 "$@" 2>/dev/null | grep '^{' | jq -c --arg c "$label" '. + {config: $c}' >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  run off --no-metrics
  run on
  run scraped --scrape-every 1
  run scraped+subscriber --scrape-every 1 --subscribe
done
# Median tasks/s and CPU per task of each configuration, and the change against metrics off.
jq -rs '
  def median: sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  (map(select(.config=="off") | .tasks_per_s) | median) as $base |
  group_by(.config)[] |
  (map(.tasks_per_s) | median) as $t | (map(.pilot_cpu_us_per_task) | median) as $c |
  (map(.metrics_feed_cpu_us_per_task // 0) | median) as $f |
  "\(.[0].config): runs \(length), median \($t|floor) tasks/s (\((($t/$base - 1)*100)*10|round/10) % vs off), \($c*10|round/10) µs CPU/task of which metrics feed thread \($f*100|round/100) µs, tasks/s \(map(.tasks_per_s|floor)|join(","))"
' "$OUT"
