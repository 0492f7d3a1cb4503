"""``create_pilot`` with a profile submits a real Slurm pilot through the manager, on the local
cluster ``JobScripts/test.sh`` starts; its agents register and run the service's tasks. A cluster that
is not reachable is a failure with the reason, never a skip."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import calls

from swiftpilot.pilot_quantum import ExecutionEngine, PilotComputeService


def _slurm_conf() -> str:
    conf = os.environ.get("SLURM_CONF") or "/tmp/swiftpilot-slurm/slurm.conf"
    r = subprocess.run(["sinfo", "-h", "-o", "%D %t"], env=dict(os.environ, SLURM_CONF=conf),
                       capture_output=True, text=True)
    assert r.returncode == 0, (f"the local Slurm cluster is not reachable via {conf}: {r.stderr.strip()} "
                               "(start it with JobScripts/local-slurm.sh start)")
    return conf


def test_create_pilot_with_a_profile_runs_tasks_on_a_slurm_pilot(cluster_factory, tmp_path: Path) -> None:
    conf = _slurm_conf()
    c = cluster_factory(agents=[], tag="pqslurm", env={"SLURM_CONF": conf})
    pcs = PilotComputeService(ExecutionEngine.DASK, str(tmp_path), server_dir=c.dir)
    try:
        pilot = pcs.create_pilot({"profile": "local", "number_of_nodes": 1, "walltime": 5})
        assert pilot.pilot_id is not None
        pilot.wait(timeout=300)
        details = pilot.get_details()
        assert details["state"] == "running" and details.get("agents", 0) >= 1
        tasks = [pcs.submit_task(calls.square, i, task_name=f"sq-{i}") for i in range(4)]
        pcs.wait_tasks(tasks, timeout=300)
        assert pcs.get_results(tasks) == [0, 1, 4, 9]
        # They ran on the pilot's agents: the only agents there are.
        agents = pcs.get_client().agents()
        assert agents and all(a.get("pilot") == pilot.pilot_id for a in agents)
    finally:
        pcs.cancel()
