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
        with urllib.request.urlopen(req, timeout=30) as r:
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
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 400
    assert json.loads(e.value.read())["error"] == {"code": "bad_request", "field": "v", "message": "request version 2 is newer than this manager's 1"}
