"""PilotExecutor against a live manager and agent: calls, results, exceptions, resources."""
from __future__ import annotations

import concurrent.futures

import calls
import pytest

from swiftpilot import Client, PilotError, PilotExecutor, RemoteTraceback, TaskFailedError


@pytest.fixture(scope="module")
def executor(client: Client):
    ex = PilotExecutor(client)
    yield ex
    ex.shutdown()


def test_a_thousand_submits_come_back(executor: PilotExecutor) -> None:
    futures = [executor.submit(calls.square, i) for i in range(1000)]
    results = [f.result(timeout=900) for f in futures]
    assert results == [i * i for i in range(1000)]
    ids = [f.task_id for f in futures]
    assert len(set(ids)) == 1000 and all(isinstance(i, int) for i in ids)


def test_map_and_keyword_arguments(executor: PilotExecutor) -> None:
    assert list(executor.map(calls.add, [1, 2, 3], [10, 20, 30], timeout=300)) == [11, 22, 33]
    assert executor.submit(calls.add, 1, b=2, c=3).result(timeout=300) == 6


def test_a_lambda_and_a_closure_travel_by_value(executor: PilotExecutor) -> None:
    k = 7
    assert executor.submit(lambda x: x * k, 6).result(timeout=300) == 42


def test_remote_exception_is_reraised_with_its_traceback(executor: PilotExecutor) -> None:
    f = executor.submit(calls.boom, 7)
    with pytest.raises(ValueError, match="bad value 7") as e:
        f.result(timeout=300)
    cause = e.value.__cause__
    assert isinstance(cause, RemoteTraceback)
    assert "in boom" in cause.tb and "calls.py" in cause.tb and "ValueError: bad value 7" in cause.tb
    # The task is recorded as failed, with the exception as its reason's source.
    info = executor.client.status(f.task_id)
    assert info["state"] == "failed"
    assert "bad value 7" in executor.client.logs(f.task_id, "stderr")


def test_two_cores_are_two_cores(executor: PilotExecutor) -> None:
    assert executor.options(cores=2).submit(calls.cores_seen).result(timeout=300) == 2
    assert executor.submit(calls.cores_seen).result(timeout=300) == 1


def test_resources_per_executor(client: Client) -> None:
    with PilotExecutor(client, cores=2, time_limit="5m", env={"SWIFTPILOT_TEST": "yes"}) as ex:
        assert ex.submit(calls.cores_seen).result(timeout=300) == 2
        assert ex.submit(calls.environment, "SWIFTPILOT_TEST").result(timeout=300) == "yes"
        info = client.status(ex.submit(calls.square, 3).task_id_when_submitted(timeout=60))
        assert info["spec"]["time_limit"] == "300s"


def test_a_misspelt_resource_is_refused_naming_it(client: Client) -> None:
    with pytest.raises(PilotError, match="unknown task field 'core' \\(did you mean 'cores'\\?\\)"):
        PilotExecutor(client, core=2)


def test_a_resource_the_manager_refuses_fails_only_that_call(executor: PilotExecutor) -> None:
    bad = executor.options(cores=-1).submit(calls.square, 2)
    good = executor.submit(calls.square, 3)
    with pytest.raises(PilotError) as e:
        bad.result(timeout=300)
    assert e.value.field == "tasks[0].cores"
    assert good.result(timeout=300) == 9


def test_a_call_that_kills_its_process_fails_with_the_reason(executor: PilotExecutor) -> None:
    f = executor.submit(calls.die, 3)
    with pytest.raises(TaskFailedError) as e:
        f.result(timeout=300)
    assert e.value.state == "failed"
    assert e.value.info["exit_code"] == 3


def test_cancel_a_running_call(executor: PilotExecutor) -> None:
    f = executor.submit(calls.nap, 120)
    tid = f.task_id_when_submitted(timeout=60)
    assert f.cancel()
    assert f.cancelled()
    with pytest.raises(concurrent.futures.CancelledError):
        f.result(timeout=1)
    state = executor.client.status(tid)["state"]
    assert state == "canceled"
