#!/bin/sh
# The SwiftPilot side of the peer harness's `--system ext` protocol (JSON over stdio):
# `pilot bench ext` keeps one embedded manager + local agent alive across requests.
# PILOT overrides the binary; PILOT_PREFETCH the prefetch depth (default 4: with sub-millisecond
# tasks three queued tasks per core keep each core fed while a report/bind round trip is under way).
here=$(cd "$(dirname "$0")/../.." && pwd)
exec "${PILOT:-$here/.build/release/pilot}" bench ext --prefetch "${PILOT_PREFETCH:-4}"
