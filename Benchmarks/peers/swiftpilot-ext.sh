#!/bin/sh
# The SwiftPilot side of the peer harness's `--system ext` protocol (JSON over stdio):
# `pilot bench ext` keeps one embedded manager + local agent alive across requests.
# PILOT overrides the binary; PILOT_PREFETCH sets the prefetch depth (unset: the default, which
# queues more tasks per core as tasks are seen to be short: up to 4 for ≤ 50 ms, 16 for ≤ 2 ms).
here=$(cd "$(dirname "$0")/../.." && pwd)
exec "${PILOT:-$here/.build/release/pilot}" bench ext ${PILOT_PREFETCH:+--prefetch "$PILOT_PREFETCH"}
