"""Tasks pinned to one pilot (the ``pilot`` task field; Pilot-Quantum's ``submit_task(..., pilot=NAME)``)
against a live manager with two pilots: agent ``alpha`` and agent ``beta``, each started as a pilot of
its own (``pilot agent --pilot-id``)."""
from __future__ import annotations

import socket
from typing import Iterator

import pytest

from conftest import LiveCluster, start_cluster
from swiftpilot import Client, PilotError, PilotExecutor
from swiftpilot.pilot_quantum import PilotComputeService

TOPOLOGY = "synthetic:package:1 numa:1 core:2 pu:1"


@pytest.fixture(scope="module")
def two_pilots() -> Iterator[LiveCluster]:
    c = start_cluster(agents=[["--pilot-id", "alpha", "--topology", TOPOLOGY], ["--pilot-id", "beta", "--topology", TOPOLOGY]],
                      tag="pilots")
    yield c
    c.stop()


def agent_pilots(c: Client) -> dict[int, str]:
    return {int(a["id"]): str(a["pilot"]) for a in c.agents()}


def test_client_tasks_run_only_on_the_named_pilot(two_pilots: LiveCluster) -> None:
    with Client(two_pilots.dir) as c:
        pilots = agent_pilots(c)
        assert sorted(pilots.values()) == ["alpha", "beta"]
        # More tasks than one pilot has cores: if the pin were ignored some would land on the other.
        beta = [c.submit(["true"], pilot="beta", name=f"b{i}") for i in range(8)]
        alpha = [c.submit(["true"], pilot="alpha", name=f"a{i}") for i in range(8)]
        free = [c.submit(["true"], name=f"any{i}") for i in range(8)]
        for f in beta + alpha + free:
            f.result(timeout=120)
        for fs, want in ((beta, "beta"), (alpha, "alpha")):
            for f in fs:
                info = c.status(f.task_id)
                assert info["state"] == "done"
                assert info["spec"]["pilot"] == want
                assert pilots[int(info["agent"])] == want, info
        # Unpinned tasks may go anywhere, and the spec carries no pilot.
        assert all("pilot" not in c.status(f.task_id)["spec"] for f in free)


def test_unknown_pilot_is_refused_at_submit_naming_the_field(two_pilots: LiveCluster) -> None:
    with Client(two_pilots.dir) as c:
        with pytest.raises(PilotError) as e:
            c.submit(["true"], pilot="gamma")
        assert e.value.status == 400
        assert e.value.field == "tasks[0].pilot"
        assert "no pilot 'gamma'" in str(e.value) and "alpha" in str(e.value) and "beta" in str(e.value)


def where(i: int) -> tuple[int, str]:
    return i, socket.gethostname()


def test_executor_pins_per_executor_and_per_call(two_pilots: LiveCluster) -> None:
    with Client(two_pilots.dir) as c:
        pilots = agent_pilots(c)
        with PilotExecutor(c, pilot="alpha") as ex:
            on_alpha = [ex.submit(where, i) for i in range(4)]
            on_beta = [ex.options(pilot="beta").submit(where, i) for i in range(4)]
            for f in on_alpha + on_beta:
                f.result(timeout=120)
        for fs, want in ((on_alpha, "alpha"), (on_beta, "beta")):
            for f in fs:
                assert pilots[int(c.status(f.task_id)["agent"])] == want


def test_pilot_quantum_submit_task_with_pilot(two_pilots: LiveCluster, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Client(two_pilots.dir) as c:
        pilots = agent_pilots(c)
        pcs = PilotComputeService(working_directory=str(tmp_path), client=c)
        # Created without a profile under the name its agents report: this pilot is those agents.
        beta = pcs.create_pilot({"name": "beta"})
        assert beta.target == "beta"
        tasks = [pcs.submit_task(where, i, task_name=f"t{i}", pilot="beta") for i in range(6)]
        pcs.wait_tasks(tasks)
        assert len(pcs.get_results(tasks)) == 6
        for t in tasks:
            assert t.pilot_scheduled == "beta"
            assert pilots[int(c.status(t.task_id)["agent"])] == "beta"
        # A pilot id the service did not create is passed through: the manager's own names work too.
        t = pcs.submit_task(where, 0, pilot="alpha")
        t.result(timeout=120)
        assert pilots[int(c.status(t.task_id)["agent"])] == "alpha"
        with pytest.raises(Exception) as e:
            pcs.submit_task(where, 0, pilot="nowhere").result(timeout=60)
        assert "no pilot 'nowhere'" in str(e.value)
