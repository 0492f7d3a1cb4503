"""``Client``: the manager's HTTP API from Python, with futures for tasks."""
from __future__ import annotations

import concurrent.futures
import json
import os
import stat
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

from .errors import PilotError, TaskFailedError
from .event_watcher import EventWatcher
from .task_future import TaskFuture
from .transport import Transport

Command = Union[str, Sequence[str]]


def default_server_dir() -> Path:
    """``$PILOT_SERVER_DIR``, else ``~/.pilot``: where ``pilot`` itself looks."""
    env = os.environ.get("PILOT_SERVER_DIR")
    return Path(env).expanduser() if env else Path.home() / ".pilot"


def read_access(path: Union[str, Path]) -> dict[str, Any]:
    """Reads ``access.json``, refusing one others can read (it holds the token), as the CLI does."""
    p = Path(path)
    try:
        st = p.stat()
        text = p.read_text()
    except OSError as e:
        raise PilotError("no_access", f"cannot read {p}: {e.strerror or e} (is a manager running? `pilot manager start`)", cause=e) from e
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PilotError("no_access", f"{p} is readable by others (mode {oct(st.st_mode & 0o777)}); it holds the token: chmod 600 it")
    try:
        a = json.loads(text)
        fp = a.get("tls_fingerprint")
        return {"host": str(a["host"]), "port": int(a["port"]), "token": str(a["token"]), "pid": a.get("pid"),
                "tls_fingerprint": None if fp is None else str(fp)}
    except (ValueError, KeyError, TypeError) as e:
        raise PilotError("no_access", f"{p}: not an access file ({e})", cause=e) from e


class Client:
    """A connection to one manager.

    Found, in this order, from ``url`` and ``token``; an ``access_file``; a ``server_dir`` (its
    ``access.json``); else ``$PILOT_SERVER_DIR`` or ``~/.pilot``. Task fields are keyword arguments
    named as in the task-field table (``cores``, ``gpus``, ``mem``, ``qpu``, ``time``, ``time_limit``,
    ``retries``, ``env``, ...); the manager checks them and answers a bad one with an error naming it.
    """

    def __init__(self, server_dir: Union[str, Path, None] = None, *, access_file: Union[str, Path, None] = None,
                 url: Optional[str] = None, token: Optional[str] = None, tls_fingerprint: Optional[str] = None,
                 timeout: float = 90.0) -> None:
        self.server_dir: Optional[Path] = None
        if url is not None:
            if token is None:
                raise PilotError("no_access", "a url needs a token (or pass server_dir / access_file instead)")
            scheme, sep, rest = url.partition("://")
            if not sep:
                scheme, rest = "http", url
            rest = rest.rstrip("/")
            host, _, port = rest.rpartition(":")
            if scheme not in ("http", "https") or not host or not port.isdigit():
                raise PilotError("bad_input", f"url must be https://HOST:PORT (or http:// for a manager without TLS), got '{url}'", field="url")
            if scheme == "https" and tls_fingerprint is None:
                raise PilotError("no_access", "an https url needs tls_fingerprint (sha256:HEX, tls_fingerprint in access.json): "
                                 "the manager's certificate is self-signed and is pinned")
            if scheme == "http" and tls_fingerprint is not None:
                raise PilotError("bad_input", "tls_fingerprint given with an http:// url; use https://", field="url")
            host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
            self.transport = Transport(host, int(port), token, timeout, fingerprint=tls_fingerprint)
        else:
            if access_file is None:
                self.server_dir = Path(server_dir).expanduser() if server_dir is not None else default_server_dir()
                access_file = self.server_dir / "access.json"
            else:
                self.server_dir = Path(access_file).expanduser().parent
            a = read_access(access_file)
            host = "127.0.0.1" if a["host"] == "0.0.0.0" else a["host"]
            path = access_file
            self.transport = Transport(host, a["port"], a["token"], timeout, fingerprint=a["tls_fingerprint"],
                                       token_source=lambda: read_access(path)["token"])
        self._watcher: Optional[EventWatcher] = None
        self._watcher_lock = threading.Lock()
        # Resolving a future reads the task's record: off the event thread, so one slow read never
        # holds up the ends of other tasks.
        self._pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="swiftpilot-resolve")

    @property
    def url(self) -> str:
        return self.transport.base_url

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
        self._pool.shutdown(wait=False)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # Reads

    def health(self) -> bool:
        try:
            return bool(self.transport.call("GET", "/v1/health", timeout=5).get("ok"))
        except PilotError:
            return False

    def summary(self) -> dict[str, Any]:
        """Counts per state, agents, version."""
        return dict(self.transport.call("GET", "/v1/summary"))

    def agents(self) -> list[dict[str, Any]]:
        return list(self.transport.call("GET", "/v1/agents")["agents"])

    def status(self, task_id: int) -> dict[str, Any]:
        """One task: state, attempt, binding, result, history, log paths."""
        return dict(self.transport.call("GET", f"/v1/tasks/{int(task_id)}"))

    def tasks(self, state: Optional[str] = None, *, limit: int = 1000, after: Optional[int] = None,
              before: Optional[int] = None, workflow: Optional[int] = None, order: str = "asc") -> list[dict[str, Any]]:
        q = {"state": state, "limit": limit, "after": after, "before": before, "workflow": workflow, "order": order}
        return list(self.transport.call("GET", "/v1/tasks", q)["tasks"])

    def logs(self, task_id: int, stream: str = "stdout", *, tail: Optional[int] = None, offset: Optional[int] = None,
             length: Optional[int] = None) -> str:
        """A task's stdout or stderr (or the part asked for: the last ``tail`` bytes, or ``offset``/``length``)."""
        q = {"stream": stream, "tail": tail, "offset": offset, "length": length}
        status, _, body = self.transport.request_raw("GET", f"/v1/tasks/{int(task_id)}/logs", q)
        if status >= 400:
            from .transport import error_from
            raise error_from(status, body)
        return body.decode("utf-8", "replace")

    def events(self, *, since: int = 0, follow: bool = False, task: Optional[int] = None, workflow: Optional[int] = None,
               pilot: Optional[str] = None, kind: Union[str, Iterable[str], None] = None, limit: int = 1000) -> Iterator[dict[str, Any]]:
        """The event journal's records after ``since``, in order. With ``follow`` the iterator keeps
        yielding as changes commit (Server-Sent Events) and resumes by itself after a cut-off."""
        kinds = kind if isinstance(kind, str) or kind is None else ",".join(kind)
        base = {"task": task, "workflow": workflow, "pilot": pilot, "kind": kinds}
        if not follow:
            while True:
                page = self.transport.call("GET", "/v1/events", dict(base, since=since, limit=limit))
                yield from page["events"]
                if len(page["events"]) < limit:
                    return
                since = page["events"][-1]["seq"]
        while True:
            event = ""
            resumed = False
            for line in self.transport.stream_lines("/v1/events", dict(base, since=since, follow=True)):
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = json.loads(line[5:])
                    if event == "cut_off":
                        since = int(data["resume_after"])
                        resumed = True
                        break
                    since = int(data["seq"])
                    yield data
            if not resumed:
                return

    # Changes

    def submit(self, command: Optional[Command] = None, **fields: Any) -> TaskFuture:
        """One task (``command`` a list of arguments, or a string run with ``sh -c``)."""
        return self.submit_tasks([dict(fields, command=command) if command is not None else dict(fields)])[0]

    def submit_array(self, command: Command, array: str, **fields: Any) -> list[TaskFuture]:
        """A task array: one task per index of ``array`` (``"1-100"``, ``"0-99:2"``); ``{i}`` in the command
        and ``$PILOT_ARRAY_INDEX`` take the index."""
        return self.submit_tasks([dict(fields, command=command, array=array)])

    def submit_tasks(self, tasks: Sequence[dict[str, Any]]) -> list[TaskFuture]:
        """Task objects as the API takes them; their ids are contiguous."""
        watcher = self._ensure_watcher()
        r = self.transport.call("POST", "/v1/tasks", body={"tasks": [_task_json(t) for t in tasks]})
        futures = [TaskFuture(self, r["first"] + i) for i in range(int(r["count"]))]
        for f in futures:
            watcher.watch(f.task_id, self._resolver(f))
        return futures

    def submit_file(self, path: Union[str, Path]) -> Union[list[TaskFuture], dict[str, Any]]:
        """A tasks file (its tasks' futures) or a workflow file (one with ``stages:``; its WorkflowInfo)."""
        p = Path(path)
        try:
            text = p.read_text()
        except OSError as e:
            raise PilotError("bad_input", f"cannot read {p}: {e.strerror or e}", field="file", cause=e) from e
        from .tasks_file import is_workflow, parse_tasks_file
        if is_workflow(text):
            return self.submit_workflow(text, file=str(p))
        try:
            # The API takes an array alone in its request; the other tasks go together.
            futures: list[TaskFuture] = []
            batch: list[dict[str, Any]] = []
            for t in parse_tasks_file(text, str(p)):
                if t.get("array") is None:
                    batch.append(t)
                    continue
                if batch:
                    futures += self.submit_tasks(batch)
                    batch = []
                futures += self.submit_tasks([t])
            if batch:
                futures += self.submit_tasks(batch)
            return futures
        except PilotError as e:
            if e.field and e.field.startswith("tasks"):
                raise PilotError(e.code, e.message, field=f"{p}: {e.field}", status=e.status) from e
            raise

    def submit_workflow(self, yaml_text: Optional[str] = None, *, file: Optional[str] = None, dir: Optional[str] = None) -> dict[str, Any]:
        """A workflow document (YAML text, or read from ``file``); the manager validates and runs it."""
        if yaml_text is None:
            if file is None:
                raise PilotError("bad_input", "give the workflow's YAML text or its file", field="yaml")
            yaml_text = Path(file).read_text()
        body: dict[str, Any] = {"yaml": yaml_text}
        if file is not None:
            body["file"] = str(Path(file).resolve())
        if dir is not None:
            # The manager takes an absolute directory (as `pilot workflow run --dir` sends it).
            body["dir"] = str(Path(dir).expanduser().resolve())
        return dict(self.transport.call("POST", "/v1/workflows", body=body))

    def workflow(self, workflow_id: int) -> dict[str, Any]:
        return dict(self.transport.call("GET", f"/v1/workflows/{int(workflow_id)}"))

    def workflows(self) -> list[dict[str, Any]]:
        return list(self.transport.call("GET", "/v1/workflows")["workflows"])

    def submit_quantum(self, circuit: str, *, shots: int = 1024, observables: Sequence[str] = (), seed: Optional[int] = None,
                       qpu: str = "ideal-sim:1", **fields: Any) -> TaskFuture:
        """A quantum task: ``circuit`` is OpenQASM text or a file holding it; ``qpu`` a device selector
        (``ideal-sim:1``, ``any:qubits>=20:1``). Its result holds counts, expectation values with
        standard errors, the device and timings."""
        text = circuit
        if "OPENQASM" not in circuit and Path(circuit).is_file():
            text = Path(circuit).read_text()
            fields.setdefault("name", Path(circuit).name)
        head = qpu.split(":", 1)[0]
        job: dict[str, Any] = {"circuit": text, "shots": int(shots), "observables": list(observables), "device": head}
        if seed is not None:
            job["seed"] = int(seed)
        task = dict(fields, kind="quantum", qpu=qpu, payload=json.dumps(job))
        return self.submit_tasks([task])[0]

    def cancel(self, task_ids: Iterable[int]) -> list[int]:
        """Cancels tasks; returns those that were canceled (ended ones are left alone)."""
        return list(self.transport.call("POST", "/v1/tasks/cancel", body={"ids": [int(t) for t in task_ids]})["canceled"])

    def resubmit(self, task_ids: Optional[Iterable[int]] = None, *, state: Optional[str] = None,
                 workflow: Optional[int] = None) -> list[TaskFuture]:
        """New tasks from ended ones: the ids given, else every task in ``state`` (default: failed)."""
        body: dict[str, Any] = {}
        if task_ids is not None:
            body["ids"] = [int(t) for t in task_ids]
        if state is not None:
            body["state"] = state
        if workflow is not None:
            body["workflow"] = workflow
        watcher = self._ensure_watcher()
        r = self.transport.call("POST", "/v1/tasks/resubmit", body=body)
        futures = [TaskFuture(self, r["first"] + i) for i in range(int(r["count"]))]
        for f in futures:
            watcher.watch(f.task_id, self._resolver(f))
        return futures

    def future(self, task_id: int) -> TaskFuture:
        """A future for a task submitted elsewhere (the CLI, another client)."""
        f = TaskFuture(self, int(task_id))
        watcher = self._ensure_watcher()
        watcher.watch(f.task_id, self._resolver(f))
        info = self.status(task_id)
        if info["state"] in ("done", "failed", "canceled"):
            self._resolve(f, info["state"], info)
        return f

    def wait(self, task_ids: Optional[Iterable[int]] = None, timeout: Optional[float] = None) -> dict[str, Any]:
        """Blocks until the tasks (default: all) ended or ``timeout`` seconds passed; the manager's
        ``{"finished", "failed", "summary"}``."""
        import time
        deadline = None if timeout is None else time.monotonic() + timeout
        ids = None if task_ids is None else ",".join(str(int(t)) for t in task_ids)
        while True:
            left = 30.0 if deadline is None else max(0.0, min(30.0, deadline - time.monotonic()))
            w = dict(self.transport.call("GET", "/v1/wait", {"ids": ids, "timeout": left}, timeout=left + 30))
            if w["finished"] or (deadline is not None and time.monotonic() >= deadline):
                return w

    def drain_agents(self, deadline: Optional[float] = None, reason: Optional[str] = None) -> int:
        body = {k: v for k, v in {"deadline": deadline, "reason": reason}.items() if v is not None}
        return int(self.transport.call("POST", "/v1/agents/drain", body=body)["agents"])

    def submit_pilot(self, profile: str, *, dry_run: bool = False, **overrides: Any) -> dict[str, Any]:
        """A Slurm pilot through the manager (``nodes``, ``walltime``, ``partition``, ``account``, ... override the profile)."""
        body: dict[str, Any] = {"profile": profile}
        if overrides:
            body["overrides"] = overrides
        if dry_run:
            body["dry_run"] = True
        return dict(self.transport.call("POST", "/v1/pilots", body=body))

    def pilots(self) -> list[dict[str, Any]]:
        return list(self.transport.call("GET", "/v1/pilots")["pilots"])

    def pilot(self, pilot_id: str) -> dict[str, Any]:
        return dict(self.transport.call("GET", f"/v1/pilots/{pilot_id}"))

    def cancel_pilot(self, pilot_id: str) -> dict[str, Any]:
        return dict(self.transport.call("POST", f"/v1/pilots/{pilot_id}/cancel"))

    # Futures

    def _ensure_watcher(self) -> EventWatcher:
        with self._watcher_lock:
            if self._watcher is None or self._watcher.error is not None:
                self._watcher = EventWatcher(self.transport)
            return self._watcher

    def _resolver(self, f: TaskFuture) -> Any:
        return lambda _id, state: self._pool.submit(self._resolve, f, state, None)

    def _resolve(self, f: TaskFuture, state: str, info: Optional[dict[str, Any]]) -> None:
        if f.done():
            return
        if state == "canceled":
            f._mark_cancelled()
            return
        try:
            info = info or self.status(f.task_id)
        except PilotError as e:
            if not f.done():
                f.set_exception(e)
            return
        if f.done():
            return
        if state == "done":
            f.set_result(info.get("result"))
        else:
            f.set_exception(TaskFailedError(f.task_id, state, info.get("reason"), info))


def _task_json(t: dict[str, Any]) -> dict[str, Any]:
    """Drops unset fields; a string command stays a string (the manager runs it with ``sh -c``)."""
    out = {k: v for k, v in t.items() if v is not None}
    if "command" in out and not isinstance(out["command"], str):
        out["command"] = [str(a) for a in out["command"]]
    return out
