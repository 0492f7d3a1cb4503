"""The Pilot-Quantum facade: a Pilot-Quantum-style script, metrics, errors and pilots."""
from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import calls
import pytest

from swiftpilot import PilotError
from swiftpilot.pilot_quantum import ExecutionEngine, PilotAPIException, PilotComputeService

HERE = Path(__file__).resolve().parent


def test_a_pilot_quantum_script_runs_with_one_changed_import(cluster, tmp_path: Path) -> None:
    env = dict(os.environ, PILOT_SERVER_DIR=str(cluster.dir), HOME=str(tmp_path))
    r = subprocess.run([sys.executable, str(HERE / "scripts" / "pq_style_script.py")], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "squares " + str([i * i for i in range(10)])
    assert lines[1] == "energies " + str([round(math.cos(0.2 * i), 6) for i in range(4)])
    assert lines[2] == "slept 2"
    metrics = list(csv.DictReader(open(next((tmp_path / "work").glob("pcs-*/metrics.csv")))))
    assert len(metrics) == 16
    assert {m["status"] for m in metrics} == {"SUCCESS"}
    assert {m["task_name"] for m in metrics} >= {f"task_energy-{i}" for i in range(4)}


def test_metrics_per_task(cluster, tmp_path: Path) -> None:
    pcs = PilotComputeService(ExecutionEngine.DASK, str(tmp_path), server_dir=cluster.dir)
    try:
        pilot = pcs.create_pilot({"type": "dask", "number_of_nodes": 1, "cores_per_node": 2})
        pilot.wait()
        assert pilot.get_state() == "running"
        ok = pcs.submit_task(calls.square, 5, task_name="five")
        bad = pcs.submit_task(calls.boom, 1, task_name="boom")
        two = pilot.submit_task(calls.cores_seen, resources={"cores": 2})
        pcs.wait_tasks([ok, bad, two])
        assert pcs.get_results([ok, two]) == [25, 2]
        with pytest.raises(ValueError, match="bad value 1"):
            pcs.get_results([bad])
        m = {x["task_name"]: x for x in pcs.get_task_metrics()}
        assert m["five"]["status"] == "SUCCESS" and m["five"]["error_msg"] is None
        assert m["boom"]["status"] == "FAILED" and "ValueError: bad value 1" in m["boom"]["error_msg"]
        for x in m.values():
            assert x["wait_time_secs"] is not None and x["wait_time_secs"] >= 0
            assert x["execution_secs"] is not None and x["execution_secs"] >= 0
            assert isinstance(x["task_id"], int)
        assert pcs.get_pilots() == [pilot._pilot_name]
    finally:
        pcs.cancel()


def test_cancel_stops_running_tasks(cluster, tmp_path: Path) -> None:
    pcs = PilotComputeService(working_directory=str(tmp_path), server_dir=cluster.dir)
    t = pcs.submit_task(calls.nap, 120, task_name="long")
    tid = t._call.task_id_when_submitted(timeout=60)
    pcs.cancel()
    assert t.cancelled()
    assert pcs.get_client().status(tid)["state"] == "canceled"
    assert pcs.get_task_metrics()[0]["status"] == "CANCELED"


def test_unknown_resources_and_profiles_are_refused(cluster, tmp_path: Path) -> None:
    pcs = PilotComputeService(working_directory=str(tmp_path), server_dir=cluster.dir)
    try:
        with pytest.raises(PilotAPIException, match="unknown resource 'num_qpus'") as e:
            pcs.submit_task(calls.square, 1, resources={"num_qpus": 1})
        assert e.value.field == "resources.num_qpus"
        # A profile makes create_pilot submit a Slurm pilot through the manager, which checks the profile.
        with pytest.raises(PilotError) as e2:
            pcs.create_pilot({"profile": "no-such-profile", "number_of_nodes": 1, "walltime": 10})
        assert "no-such-profile" in str(e2.value)
    finally:
        pcs.cancel()
