"""schemathesis against a live manager: the server and its OpenAPI document agree.

Checks: every schemathesis check on every answer, `positive_data_acceptance` included: no 5xx; status
code, content type, headers and body as documented; invalid requests refused; valid ones accepted; the
token required. The document states what JSON Schema can (ranges, enums, required keys, patterns,
int64 bounds). A task's validity also has rules JSON Schema cannot state (the grammar of durations,
sizes and ranges, whether a request fits the cluster's agents, references to tasks, workflows and
profiles that must exist, relations between fields): `_narrow_positive` narrows the valid requests
to those rules, each named where it is applied, and never loosens the server.

The manager runs with one agent whose launcher starts no process (generated tasks end without any
generated command running) and with a profile directory holding no cluster profiles (no generated
pilot reaches Slurm). Before the generated requests, real records are made (tasks done, failed and
canceled, an array, a quantum task, a workflow) and the routes that show them are called and checked
with their real ids, so the response schemas are checked against full answers, not only 404s. Every
operation gets generated requests, valid and invalid; every answer must be no 5xx and must match the
document (status code, content type, headers, body schema), and invalid input must be refused.
"""
from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402

from conftest import REPO, LiveCluster, start_cluster  # noqa: E402

MIN_REQUESTS = 1000
# Per operation and mode. The suite's run is derandomized (the same requests every time); set
# SWIFTPILOT_CONTRACT_RANDOM=1 and more examples to explore further.
EXAMPLES = int(os.environ.get("SWIFTPILOT_CONTRACT_EXAMPLES", "25"))
DERANDOMIZE = os.environ.get("SWIFTPILOT_CONTRACT_RANDOM") != "1"


@pytest.fixture(scope="module")
def contract_cluster(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("pilot-home")
    (home / "Profiles").mkdir()
    shutil.copytree(REPO / "Profiles" / "qpu", home / "Profiles" / "qpu")
    # The agent's null launcher completes tasks without starting a process: generated tasks that fit
    # end `done` and no generated command ever runs.
    c = start_cluster(agents=[["--launcher", "null", "--topology", "synthetic:package:1 numa:2 core:2 pu:1", "--qpu-devices", "ideal-sim,trapped-ion-11"]],
                      tag="contract", env={"PILOT_HOME": str(home), "SWIFTPILOT_SBATCH": "/bin/false"},
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


def _narrow_positive(case: Any, known: dict[str, Any]) -> None:
    """Valid requests (schemathesis' positive mode) narrowed to what the manager must accept, so that
    `positive_data_acceptance` (every schema-valid request is accepted) holds. The document states
    every rule JSON Schema can (ranges, enums, required keys, the event-kind list, int64 bounds); each
    change below is a server rule it cannot state, named where it is made. Nothing here loosens the
    server: the refusals themselves are covered by the negative cases and the Swift and Python tests.
    """
    path, body = case.operation.path, case.body
    if path == "/v1/tasks" and case.operation.method.upper() == "POST" and isinstance(body, dict):
        # SubmitRequest.workflow/workload must name a workflow/workload of this manager (state).
        body.pop("workflow", None)
        body.pop("workload", None)
        tasks = body.get("tasks")
        if isinstance(tasks, list):
            body["tasks"] = [_narrow_task(t) for t in tasks if isinstance(t, dict)] or [{"command": ["true"]}]
    elif path == "/v1/workflows" and isinstance(body, dict):
        # `yaml` is a workflow file: a YAML format of its own (README, Workflow files), not JSON Schema.
        body["yaml"] = WORKFLOW
        # `dir` must be a directory the manager can create on its host (the host's state); generated
        # paths would also litter this machine's root. Valid ones go under this test's server directory.
        if isinstance(body.get("dir"), str):
            body["dir"] = str(known["scratch"] / f"wf-{abs(hash(body['dir'])) % 10**8}")
    elif path in ("/v1/pilots", "/v1/allocs") and isinstance(body, dict):
        # A profile is a name of Unicode letters, digits, '-', '_', '.' (JSON Schema's regex has no
        # Unicode classes) or an absolute path; a valid name with no such profile is the documented 404.
        profile = body.get("profile")
        if not (isinstance(profile, str) and profile and all(ch.isalnum() or ch in "-_." for ch in profile)
                and not profile.endswith((".yaml", ".yml"))):
            body["profile"] = "contract-no-such-profile"
        # min_pilots may not exceed max_pilots: a relation between two fields.
        if path == "/v1/allocs" and isinstance(body.get("min_pilots"), int) and isinstance(body.get("max_pilots"), int):
            body["min_pilots"] = min(body["min_pilots"], body["max_pilots"])
    elif path == "/v1/wait" and isinstance(case.query, dict) and isinstance(case.query.get("ids"), str):
        # Each comma-separated id must be a positive int64: a numeric range no pattern states exactly.
        ok = [p.strip(" \t") for p in case.query["ids"].split(",")]
        case.query["ids"] = ",".join(p for p in ok if p.isascii() and p.lstrip("+").isdigit() and 0 < int(p) < 2**63)
    elif path == "/v1/tasks/resubmit" and isinstance(body, dict):
        # Only ended tasks can be resubmitted, and a workflow filter must name a workflow: state.
        if isinstance(body.get("ids"), list):
            ended = known["ended"]()
            body["ids"] = [i for i in body["ids"] if i in ended] or ended[:1]
        body.pop("workflow", None)
    elif path == "/v1/tasks/{id}/logs" and isinstance(case.query, dict) and "tail" in case.query and "offset" in case.query:
        # `tail` and `offset` exclude each other: a relation between two parameters.
        del case.query["offset"]
    elif path == "/v1/workflows/{id}/retry" and isinstance(case.path_parameters, dict):
        # Retrying needs a failed stage: the workflow's state. A workflow with none (the seeded one) is
        # left out; an unknown id stays the documented 404.
        if case.path_parameters.get("id") in known["workflows"]:
            case.path_parameters["id"] = max(known["workflows"]) + 1000


def _narrow_task(t: dict[str, Any]) -> dict[str, Any]:
    """One generated task narrowed to the server rules on a task that JSON Schema cannot state."""
    t = dict(t)
    # Whether a request fits depends on the cluster the manager runs (no document can say): this one
    # has one agent of 4 cores in 2 NUMA domains, no GPUs, no custom resources, no pilot id, and the
    # QPU devices ideal-sim and trapped-ion-11. The shape fields go; cores stay within 1…4.
    for k in ("gpus", "gpus_per_rank", "custom", "mem", "nodes", "ranks_per_node", "cores_per_rank", "pilot", "qpu"):
        t.pop(k, None)
    # qpu_estimates name each device once and go only with `qpu: auto`, which the document cannot relate.
    t.pop("qpu_estimates", None)
    if t.get("cores") is not None:
        t["cores"] = 1 + int(t["cores"]) % 4
    # Durations as strings have a grammar of their own (90s, 1h30m, 1:30:00) bounded to 366 days.
    for k in ("time", "time_limit"):
        if isinstance(t.get(k), str):
            t[k] = "90s"
    # Arrays (a range grammar; an array is submitted alone) and dependencies (ids of existing tasks).
    for k in ("array", "after", "after_ok"):
        t.pop(k, None)

    def clean(x: Any) -> Any:  # execve takes C strings: no NUL anywhere in argv, env or cwd
        return x.replace("\x00", "") if isinstance(x, str) else x
    if t.get("kind") == "quantum":
        # A quantum task's payload is a job (JSON text with its own document) on an existing device.
        t["payload"] = json.dumps({"circuit": CIRCUIT, "shots": 10, "device": "ideal-sim"})
        t["qpu"] = "ideal-sim:1"
    else:
        # A command task (kind command or absent) needs a command whose program is named.
        command = t.get("command")
        if isinstance(command, list):
            command = [clean(a) for a in command if isinstance(a, str)]
        elif isinstance(command, str):
            command = clean(command)
        if not command or (isinstance(command, list) and not command[0]) or (isinstance(command, str) and not command.strip()):
            command = ["true"]
        t["command"] = command
    # Environment names are non-empty and hold no '=' (POSIX); nothing holds a NUL.
    if isinstance(t.get("env"), dict):
        t["env"] = {clean(k): clean(v) for k, v in t["env"].items() if isinstance(k, str) and clean(k) and "=" not in k
                    and isinstance(v, str)}
    if isinstance(t.get("cwd"), str):
        t["cwd"] = clean(t["cwd"])
    return t


WORKFLOW = """version: 1
name: contract
stages:
  a:
    motif: ensemble
    command: ["echo", "{i}"]
    sweep: {x: "0-2"}
"""
CIRCUIT = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n'


def _get(cluster: LiveCluster, path: str, auth: dict[str, str]) -> Any:
    with urllib.request.urlopen(urllib.request.Request(cluster.url + path, headers=auth), context=cluster.ssl) as r:
        return json.loads(r.read())


def _seeded_calls(cluster: LiveCluster, schema: Any, auth: dict[str, str], failures: list[str]) -> int:
    """Real records, then every read route called on them and checked against the document."""
    from swiftpilot import Client
    c = Client(cluster.dir)
    done = c.submit(["true"], name="seed-done")
    arr = c.submit_array(["echo", "{i}"], array="1-3")
    quantum = c.submit_quantum(CIRCUIT, shots=100, observables=["ZZ"], qpu="ideal-sim:1")
    waiting = c.submit_quantum(CIRCUIT, shots=100, qpu="trapped-ion-11:1")  # a slow device: canceled below
    failing = c.submit_quantum(CIRCUIT, shots=100, observables=["ZZZ"], qpu="ideal-sim:1")  # 3 Paulis, 2 qubits
    wf = c.submit_workflow(WORKFLOW)
    waiting.cancel()
    for f in [done, quantum, failing, *arr]:
        try:
            f.exception(timeout=120)
        except Exception:
            pass
    c.close()
    tid, wid = done.task_id, wf["id"]
    calls = [("GET", "/v1/tasks", {}, {}), ("GET", "/v1/tasks", {}, {"order": "desc", "limit": 2}),
             ("GET", "/v1/tasks/{id}", {"id": tid}, {}), ("GET", "/v1/tasks/{id}", {"id": quantum.task_id}, {}),
             ("GET", "/v1/tasks/{id}", {"id": waiting.task_id}, {}), ("GET", "/v1/tasks/{id}", {"id": failing.task_id}, {}), ("GET", "/v1/tasks/{id}/logs", {"id": tid}, {"tail": 10}),
             ("GET", "/v1/workflows", {}, {}), ("GET", "/v1/workflows/{id}", {"id": wid}, {}), ("GET", "/v1/agents", {}, {}),
             ("GET", "/v1/occupancy", {}, {}), ("GET", "/v1/events", {}, {"limit": 100}), ("GET", "/v1/summary", {}, {}),
             ("GET", "/v1/wait", {}, {"ids": str(tid), "timeout": 1}), ("GET", "/metrics", {}, {})]
    for method, path, params, query in calls:
        case = schema[path][method].Case(path_parameters=params, query=query)
        response = case.call(base_url=cluster.url, headers=auth, timeout=30, verify=cluster.cert_file or True)
        if response.status_code != 200:
            failures.append(f"seeded {method} {path} {params} {query} → {response.status_code}: {response.text[:300]}")
            continue
        try:
            case.validate_response(response, headers=auth)
        except (Exception, BaseExceptionGroup) as e:
            failures.append(f"seeded {method} {path} {params} → {str(e)[:800]}")
    return len(calls)


def test_schemathesis_finds_no_server_error_and_no_response_off_the_document(contract_cluster: LiveCluster,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # The manager speaks HTTPS with its own self-signed certificate: every request schemathesis makes,
    # its checks' own re-sent ones included, trusts that certificate (and no other CA).
    if contract_cluster.cert_file:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", contract_cluster.cert_file)
    with urllib.request.urlopen(urllib.request.Request(contract_cluster.url + "/v1/openapi.json",
                                                       headers={"Authorization": f"Bearer {contract_cluster.token}"}),
                                context=contract_cluster.ssl) as r:
        doc = json.loads(r.read())
    assert doc == json.loads((REPO / "Sources/PilotManager/Resources/openapi.json").read_text())
    schema = schemathesis.openapi.from_dict(doc)
    auth = {"Authorization": f"Bearer {contract_cluster.token}"}
    sent = {"n": 0, "by_status": {}}
    failures: list[str] = []

    sent["n"] += _seeded_calls(contract_cluster, schema, auth, failures)
    known = {"workflows": [int(w["id"]) for w in _get(contract_cluster, "/v1/workflows", auth)["workflows"]],
             "scratch": contract_cluster.dir / "generated-workflow-dirs",
             # Asked afresh each time: a generated resubmit makes an ended task live again for a while.
             "ended": lambda: [int(t["id"]) for t in _get(contract_cluster, "/v1/tasks", auth)["tasks"]
                               if t["state"] in ("done", "failed", "canceled")]}
    assert known["ended"](), "the seeded tasks have ended"
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 32
    for op in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                _bounded(case)
                # The generated token is replaced by the real one; a negative case that left the
                # header out on purpose goes without it (and must get 401).
                headers = dict(case.headers or {})
                had = [k for k in headers if k.lower() == "authorization"]
                for k in had:
                    del headers[k]
                if had or mode == schemathesis.GenerationMode.POSITIVE:
                    headers["Authorization"] = auth["Authorization"]
                case.headers = headers
                # Read after the header edit: schemathesis re-judges an edited case, and a negative case
                # whose only mutation was an undeclared header is valid, so it is checked as a positive one.
                if case.meta is not None and case.meta.generation.mode.is_positive:
                    _narrow_positive(case, known)
                response = case.call(base_url=contract_cluster.url, timeout=30, verify=contract_cluster.cert_file or True)
                sent["n"] += 1
                if op.path == "/v1/token/rotate" and response.status_code == 200:
                    # A generated rotation that went through: the new token is in access.json.
                    fresh = json.loads((contract_cluster.dir / "access.json").read_text())["token"]
                    auth["Authorization"] = f"Bearer {fresh}"
                # /login takes no token: a generated code it does not know is its documented 401.
                key = (mode.value if op.path != "/login" else "login", response.status_code)
                sent["by_status"][key] = sent["by_status"].get(key, 0) + 1
                try:
                    case.validate_response(response, headers=headers)
                except (Exception, BaseExceptionGroup) as e:  # every failure is collected and reported together below
                    failures.append(f"{op.method.upper()} {op.path} [{mode.value}] → {response.status_code}: {str(e)[:600]} … {str(e)[-900:]}")

            try:
                run()
            except Unsatisfiable:
                # An operation with no parameters and no body has no invalid request to make.
                assert mode == schemathesis.GenerationMode.NEGATIVE, f"{op.method} {op.path}: no valid request generated"

    print(f"schemathesis: {sent['n']} requests over {len(operations)} operations; statuses {sorted(sent['by_status'].items())}")
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures[:40])
    assert sent["n"] >= MIN_REQUESTS
    assert not [k for k in sent["by_status"] if k[1] >= 500]
    # Valid requests carry the real token: none may be turned away at the door.
    assert not [k for k in sent["by_status"] if k == ("positive", 401)]
