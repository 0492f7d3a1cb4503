#!/usr/bin/env bash
# The whole test suite on a fresh machine: install the C libraries, bring up the project's own
# 4-node Slurm cluster, build, and run every test. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
JobScripts/setup.sh
JobScripts/local-slurm.sh start
eval "$(JobScripts/local-slurm.sh env)"
swift build --build-tests
swift test "$@"
