"""schemathesis against a live manager: the server and its OpenAPI document agree.

Checks: every schemathesis check on every answer (no 5xx; status code, content type, headers and
body as documented; invalid requests refused; the token required) except `positive_data_acceptance`.
That one expects every schema-valid request to succeed, but a task's validity includes rules JSON
Schema does not express (duration and size syntax, QPU selectors, "a command task needs a command",
`tail` and `offset` exclude each other, profiles that must exist): the manager refuses those with a
400 and the documented error body, which is a documented answer, not a deviation.

The manager runs with no agents (generated tasks stay queued, so no generated command ever runs) and
with a profile directory holding no cluster profiles (no generated pilot reaches Slurm). Every
operation gets generated requests, valid and invalid; every answer must be no 5xx and must match the
document (status code, content type, headers, body schema), and invalid input must be refused.
"""
from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from conftest import REPO, LiveCluster, start_cluster  # noqa: E402

MIN_REQUESTS = 1000


@pytest.fixture(scope="module")
def contract_cluster(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("pilot-home")
    (home / "Profiles").mkdir()
    shutil.copytree(REPO / "Profiles" / "qpu", home / "Profiles" / "qpu")
    c = start_cluster(agents=(), tag="contract", env={"PILOT_HOME": str(home), "SWIFTPILOT_SBATCH": "/bin/false"},
                      manager_args=["--qpu-profiles", str(home / "Profiles" / "qpu")])
    yield c
    c.stop()


def _bounded(case: Any) -> None:
    """Long polls and streams are held open by design (`/v1/wait` up to 60 s, `wait=` on logs up to
    30 s, `follow` forever): a valid long wait is made 0 and a stream a page, so each generated request
    answers at once. Invalid values are left alone: the server must refuse them at once."""
    q = case.query
    if not isinstance(q, dict):
        return

    def positive_number(v: Any) -> bool:
        try:
            return float(v) > 0
        except (TypeError, ValueError):
            return False

    path = case.operation.path
    if path == "/v1/wait" and positive_number(q.get("timeout")):
        q["timeout"] = 0
    if path == "/v1/tasks/{id}/logs" and positive_number(q.get("wait")):
        q["wait"] = 0
    if path == "/v1/events":
        if str(q.get("follow")).lower() == "true":
            q["follow"] = "false"
        if isinstance(case.headers, dict) and "event-stream" in str(case.headers.get("Accept", "")):
            case.headers.pop("Accept")


def test_schemathesis_finds_no_server_error_and_no_response_off_the_document(contract_cluster: LiveCluster) -> None:
    with urllib.request.urlopen(urllib.request.Request(contract_cluster.url + "/v1/openapi.json",
                                                       headers={"Authorization": f"Bearer {contract_cluster.token}"})) as r:
        doc = json.loads(r.read())
    assert doc == json.loads((REPO / "Sources/PilotManager/Resources/openapi.json").read_text())
    schema = schemathesis.openapi.from_dict(doc)
    auth = {"Authorization": f"Bearer {contract_cluster.token}"}
    sent = {"n": 0, "by_status": {}}
    failures: list[str] = []

    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 32
    for op in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            @settings(max_examples=25, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                _bounded(case)
                response = case.call(base_url=contract_cluster.url, headers=auth, timeout=30)
                sent["n"] += 1
                sent["by_status"][response.status_code] = sent["by_status"].get(response.status_code, 0) + 1
                try:
                    case.validate_response(response, headers=auth, excluded_checks=[positive_data_acceptance])
                except (Exception, BaseExceptionGroup) as e:  # every failure is collected and reported together below
                    failures.append(f"{op.method.upper()} {op.path} [{mode.value}] → {response.status_code}: {str(e)[:800]}")

            try:
                run()
            except Unsatisfiable:
                # An operation with no parameters and no body has no invalid request to make.
                assert mode == schemathesis.GenerationMode.NEGATIVE, f"{op.method} {op.path}: no valid request generated"

    print(f"schemathesis: {sent['n']} requests over {len(operations)} operations; statuses {sorted(sent['by_status'].items())}")
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures[:40])
    assert sent["n"] >= MIN_REQUESTS
    assert not [s for s in sent["by_status"] if s >= 500]
