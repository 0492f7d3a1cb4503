#!/usr/bin/env bash
# The whole test suite on a fresh machine: install the C libraries, bring up the project's own
# 4-node Slurm cluster, build, and run every test. `.ci/run` calls exactly this.
#
# Unit-level suites run in parallel. The end-to-end suites start real managers, agents and Slurm
# pilots that share one 4-node cluster and two cores, so they run one at a time afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
JobScripts/setup.sh
JobScripts/local-slurm.sh start
eval "$(JobScripts/local-slurm.sh env)"
swift build --build-tests
E2E='PilotEndToEndTests|LocalClusterTests|PilotMiniAppsTests.DistributedSV'
swift test --skip-build --skip "$E2E" "$@"
swift test --skip-build --no-parallel --filter "$E2E" "$@"
