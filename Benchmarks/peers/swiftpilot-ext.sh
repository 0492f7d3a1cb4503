#!/bin/sh
# The SwiftPilot side of the peer harness's `--system ext` protocol (JSON over stdio):
# `pilot bench ext` keeps one embedded manager + local agent alive across requests.
# PILOT overrides the binary; PILOT_PREFETCH sets the prefetch depth (unset: the default, which
# queues up to three tasks per core once tasks are seen to be short).
here=$(cd "$(dirname "$0")/../.." && pwd)
exec "${PILOT:-$here/.build/release/pilot}" bench ext ${PILOT_PREFETCH:+--prefetch "$PILOT_PREFETCH"}
