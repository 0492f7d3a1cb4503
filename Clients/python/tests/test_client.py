"""The Client against a live manager and agent."""
from __future__ import annotations

import concurrent.futures
import json

import pytest

from swiftpilot import Client, PilotError, TaskFailedError


def test_submit_and_result(client: Client) -> None:
    f = client.submit(["sh", "-c", 'echo \'{"answer": 42}\' > "$PILOT_RESULT_FILE"; echo hello'], name="answer")
    assert f.result(timeout=120) == {"answer": 42}
    assert f.info()["state"] == "done"
    assert f.logs() == "hello\n"


def test_failed_task_raises_with_reason(client: Client) -> None:
    f = client.submit("exit 3")
    with pytest.raises(TaskFailedError) as e:
        f.result(timeout=120)
    assert e.value.state == "failed"
    assert e.value.info["exit_code"] == 3


def _raw(cluster, path: str) -> tuple[int, dict, str]:
    import urllib.error
    import urllib.request
    req = urllib.request.Request(cluster.url + path, headers={"Authorization": f"Bearer {cluster.token}"})
    try:
        with urllib.request.urlopen(req, timeout=30, context=cluster.ssl) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def test_health_says_it_is_json(cluster) -> None:
    status, headers, body = _raw(cluster, "/v1/health")
    assert status == 200 and headers["Content-Type"] == "application/json" and json.loads(body) == {"ok": True}


def test_a_wait_timeout_that_is_not_a_number_is_refused(cluster) -> None:
    # Found by schemathesis: `timeout=false` used to be read as the default 5 s.
    status, _, body = _raw(cluster, "/v1/wait?timeout=false")
    assert status == 400
    assert json.loads(body)["error"] == {"code": "bad_request", "field": "timeout", "message": "'false' is not a number of seconds"}
    assert _raw(cluster, "/v1/wait?timeout=0")[0] == 200


@pytest.mark.parametrize("path", ["/v1/tasks?limt=5", "/v1/wait?idz=1", "/v1/tasks/1/logs?tial=10"])
def test_an_unknown_query_parameter_is_refused_naming_it(cluster, path: str) -> None:
    # Found by schemathesis: unknown parameters used to be ignored, so a misspelt one changed nothing.
    status, _, body = _raw(cluster, path)
    assert status == 400
    err = json.loads(body)["error"]
    assert err["code"] == "bad_request" and err["field"] == path.split("?")[1].split("=")[0]
    assert "unknown parameter" in err["message"]


def test_the_served_openapi_document_is_the_committed_one(cluster) -> None:
    from conftest import REPO
    status, headers, body = _raw(cluster, "/v1/openapi.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == json.loads((REPO / "Sources/PilotManager/Resources/openapi.json").read_text())


@pytest.mark.parametrize("path", ["/v1/agents/drain", "/v1/pilots", "/v1/allocs", "/v1/pilots/p1/drain"])
def test_a_request_from_a_newer_version_is_refused(cluster, path: str) -> None:
    # Found by schemathesis: only task submissions checked `v`; a drain with `"v": 756` drained every agent.
    import urllib.error
    import urllib.request
    body = {"/v1/pilots": {"v": 2, "profile": "x"}, "/v1/allocs": {"v": 2, "profile": "x", "max_pilots": 1}}.get(path, {"v": 2})
    req = urllib.request.Request(cluster.url + path, data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {cluster.token}", "Content-Type": "application/json"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30, context=cluster.ssl)
    assert e.value.code == 400
    assert json.loads(e.value.read())["error"] == {"code": "bad_request", "field": "v", "message": "request version 2 is newer than this manager's 1"}


def test_an_array_gives_one_future_per_index(client: Client) -> None:
    fs = client.submit_array(["sh", "-c", 'echo "{\\"i\\": $PILOT_ARRAY_INDEX}" > "$PILOT_RESULT_FILE"'], array="1-5")
    assert [f.result(timeout=120) for f in fs] == [{"i": i} for i in range(1, 6)]
    assert [f.task_id for f in fs] == list(range(fs[0].task_id, fs[0].task_id + 5))


def test_a_tasks_file_with_defaults_and_an_array(client: Client, tmp_path) -> None:
    f = tmp_path / "tasks.yaml"
    f.write_text("version: 1\ndefaults: {retries: 1, time_limit: 2m}\ntasks:\n"
                 "  - {name: one, command: [echo, one]}\n"
                 "  - {name: many, command: 'echo {i}', array: 1-3}\n"
                 "  - {name: two, command: [echo, two]}\n")
    fs = client.submit_file(f)
    assert isinstance(fs, list) and len(fs) == 5
    concurrent.futures.wait(fs, timeout=120)
    names = [fut.info()["name"] for fut in fs]
    assert names == ["one", "many[1]", "many[2]", "many[3]", "two"]
    assert fs[0].info()["spec"]["retries"] == 1


def test_a_bad_tasks_file_names_the_file_and_field(client: Client, tmp_path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("version: 1\ntasks:\n  - {command: [echo], cores: many}\n")
    with pytest.raises(PilotError) as e:
        client.submit_file(f)
    assert e.value.field == f"{f}: tasks[0].cores"
    assert "must be an integer" in e.value.message


def test_a_workflow_file(client: Client, tmp_path) -> None:
    f = tmp_path / "wf.yaml"
    f.write_text("version: 1\nname: py\nstages:\n  a:\n    motif: ensemble\n    command: [echo, '{i}']\n    sweep: {x: '0-3'}\n")
    info = client.submit_file(f)
    assert isinstance(info, dict) and info["name"] == "py" and info["stages"][0]["name"] == "a"
    for rec in client.events(follow=True, workflow=info["id"], kind="workflow_state"):
        if rec["state"] in ("done", "failed"):
            break
    assert client.workflow(info["id"])["state"] == "done"
    assert any(w["id"] == info["id"] for w in client.workflows())


def test_a_quantum_job(client: Client) -> None:
    circuit = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n'
    r = client.submit_quantum(circuit, shots=0, observables=["ZZ", "ZI"], qpu="ideal-sim:1").result(timeout=120)
    assert r["device"] == "ideal-sim" and r["qubits"] == 2
    values = {e["observable"]: e["value"] for e in r["expectations"]}
    assert values["ZZ"] == pytest.approx(1.0, abs=1e-9) and values["ZI"] == pytest.approx(0.0, abs=1e-9)


def test_events_iterate_in_order_and_filter(client: Client) -> None:
    f = client.submit(["true"])
    f.result(timeout=120)
    records = list(client.events(task=f.task_id))
    kinds = [r["kind"] for r in records]
    assert kinds[0] == "task_submitted" and kinds[-1] == "task_finished"
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    assert [r["kind"] for r in client.events(task=f.task_id, kind=["task_finished"])] == ["task_finished"]


def test_cancel_and_resubmit(client: Client) -> None:
    f = client.submit(["sleep", "60"])
    assert f.cancel()
    assert f.cancelled() and client.status(f.task_id)["state"] == "canceled"
    [again] = client.resubmit([f.task_id])
    assert again.task_id != f.task_id
    assert again.info()["spec"]["command"] == ["sleep", "60"]
    again.cancel()
    w = client.wait([f.task_id, again.task_id], timeout=60)
    assert w["finished"]


def test_status_list_and_logs_paging(client: Client) -> None:
    f = client.submit(["sh", "-c", "printf 'abcdefghij'; echo oops >&2"])
    f.result(timeout=120)
    assert client.logs(f.task_id, tail=3) == "hij"
    assert client.logs(f.task_id, offset=2, length=3) == "cde"
    assert client.logs(f.task_id, "stderr") == "oops\n"
    listed = client.tasks(state="done", order="desc", limit=5)
    assert listed[0]["id"] >= f.task_id and all(t["state"] == "done" for t in listed)
    assert client.summary()["agents"] == 1 and client.agents()[0]["state"] == "active"


def test_future_for_a_task_submitted_elsewhere(client: Client) -> None:
    tid = client.submit(["true"]).task_id
    assert client.future(tid).result(timeout=120) is None


def test_no_manager_and_bad_access_files(tmp_path) -> None:
    with pytest.raises(PilotError) as e:
        Client(tmp_path)
    assert e.value.code == "no_access" and "access.json" in str(e.value)
    a = tmp_path / "access.json"
    a.write_text(json.dumps({"host": "127.0.0.1", "port": 1, "token": "t"}))
    a.chmod(0o644)
    with pytest.raises(PilotError, match="readable by others"):
        Client(tmp_path)
    a.chmod(0o600)
    c = Client(tmp_path)
    assert c.health() is False
    with pytest.raises(PilotError) as e2:
        c.summary()
    assert e2.value.code == "unreachable"
