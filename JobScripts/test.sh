#!/usr/bin/env bash
# The whole test suite on a fresh machine: install the C libraries, bring up the project's own
# 4-node Slurm cluster, build, and run every test. `.ci/run` calls exactly this.
#
# Unit-level suites run in parallel. The end-to-end suites start real managers, agents and Slurm
# pilots that share one 4-node cluster and two cores, so they run one at a time afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
JobScripts/setup.sh --with-test-tools
JobScripts/local-slurm.sh start
eval "$(JobScripts/local-slurm.sh env)"
# A second, independent cluster with the opt-in site features (a license, a qpu GRES with the
# TaskProlog standing in for QRMI's SPANK plugin, configless slurmd) for SiteSlurmEndToEndTests.
SWIFTPILOT_SLURM_CTLD_PORT=6917 SWIFTPILOT_SLURM_NODE_PORT=17100 SWIFTPILOT_SLURM_CLUSTER=site \
    SWIFTPILOT_SLURM_LICENSES=swiftpilot_lic:2 SWIFTPILOT_SLURM_QPUS=ibm_torino SWIFTPILOT_SLURM_CONFIGLESS=1 \
    JobScripts/local-slurm.sh start /tmp/swiftpilot-slurm-site
swift build --build-tests
# QRMI's task runner (the qrmi package from PyPI) with Qiskit and its OpenQASM 3 importer, for
# QRMITaskRunnerTests and the QPU-through-Slurm end-to-end test, which check payloads with them.
QRMIVENV=.build/venv-qrmi
python3 -m venv "$QRMIVENV"
"$QRMIVENV/bin/pip" install -q qrmi qiskit qiskit-qasm3-import
E2E='PilotEndToEndTests|LocalClusterTests|PilotMiniAppsTests.DistributedSV'
swift test --skip-build --skip "$E2E" "$@"
swift test --skip-build --no-parallel --filter "$E2E" "$@"

# Python: the swiftpilot package (Clients/python) in a virtual environment of its own; its pytest
# suite starts live managers and agents from the pilot binary built above (executor, Pilot-Quantum
# facade, client, and schemathesis against the OpenAPI document). A failing test fails this script.
PYVENV=.build/venv-python
python3 -m venv "$PYVENV"
"$PYVENV/bin/pip" install -q ./Clients/python pytest cloudpickle schemathesis
# Qiskit (and SciPy, which it depends on, for the chi-square tests) for the SamplerV2/EstimatorV2
# tests, Clients/python/tests/test_primitives.py.
"$PYVENV/bin/pip" install -q qiskit scipy
PILOT_BIN="$PWD/.build/debug/pilot" "$PYVENV/bin/python" -m pytest -q -p no:cacheprovider Clients/python/tests
