#!/usr/bin/env bash
# GET /v1/summary latency while the manager is busy: a 26-qubit cutting stage (cut plan and exact
# simulation on the pool), a 200,000-task sweep and a 10,000-stage workflow, with two agents on a
# 2-second heartbeat timeout. Prints p50/p99/max of the API calls and whether any agent was lost.
# Plain HTTP on loopback (--no-tls), so curl needs no pinned certificate.
#   Benchmarks/busy-manager.sh [path/to/pilot] [seconds]
set -euo pipefail
PILOT=${1:-.build/release/pilot}
SECONDS_TO_PROBE=${2:-60}
DIR=$(mktemp -d /tmp/pilot-busy-XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$PILOT" manager start --server-dir "$DIR" --no-tls --heartbeat-interval 0.5 --heartbeat-timeout 2 > "$DIR/manager.log" 2>&1 &
until [[ -s $DIR/access.json ]] && curl -sf "http://127.0.0.1:$(jq -r .port "$DIR/access.json")/v1/health" >/dev/null; do sleep 0.05; done
for i in 1 2; do "$PILOT" agent --server-dir "$DIR" --topology "synthetic:package:1 numa:1 core:2 pu:1" > "$DIR/agent$i.log" 2>&1 & done
PORT=$(jq -r .port "$DIR/access.json"); TOKEN=$(jq -r .token "$DIR/access.json")
api() { curl -s -H "Authorization: Bearer $TOKEN" "$@"; }
until [[ $(api "http://127.0.0.1:$PORT/v1/summary" | jq .agents) == 2 ]]; do sleep 0.05; done
"$PILOT" submit --server-dir "$DIR" -- sleep 600 >/dev/null
wf() { jq -Rs '{yaml: .}' | api -X POST -d @- "http://127.0.0.1:$PORT/v1/workflows" >/dev/null; }
printf 'version: 1\nstages:\n  cut: {motif: cutting, circuit: {qubits: 26, depth: 3, seed: 7}, max_fragment_qubits: 13, observables: [ZZZZZZZZZZZZZZZZZZZZZZZZZZ], shots: 100}\n' | wf
printf 'version: 1\nstages:\n  sweep: {motif: ensemble, command: ["true"], count: 200000}\n' | wf
{ echo "version: 1"; echo "stages:"; for i in $(seq 0 9999); do
    if ((i)); then echo "  s$i: {motif: ensemble, command: [\"true\"], count: 1, needs: [s$((i-1))]}"; else echo "  s0: {motif: ensemble, command: [\"true\"], count: 1}"; fi
  done; } | wf
END=$((SECONDS + SECONDS_TO_PROBE))
: > "$DIR/lat"
while ((SECONDS < END)); do
  api -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/v1/summary" >> "$DIR/lat"
  sleep 0.02
done
sort -n "$DIR/lat" | awk '{a[NR]=$1} END {printf "summary calls: %d  p50 %.1f ms  p99 %.1f ms  max %.1f ms\n", NR, a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000, a[NR]*1000}'
echo "agents lost: $(grep -c 'lost:' "$DIR/manager.log" || true)"
api "http://127.0.0.1:$PORT/v1/agents" | jq -c '[.agents[] | {id, state}]'
