"""``PilotComputeService``, ``PilotCompute`` and their futures, run by SwiftPilot.

Pilot-Quantum starts a Dask or Ray cluster inside its pilots; here the pilots are SwiftPilot pilots
(Slurm jobs running agents) and every task is a SwiftPilot task, so the scheduler, the QPU leases and
the event journal see each one.
"""
from __future__ import annotations

import concurrent.futures
import csv
import os
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Union

from ..client import Client
from ..errors import PilotError
from ..executor import RESOURCE_FIELDS, PilotExecutor, PilotFuture as _CallFuture
from .pilot_enums_exceptions import ExecutionEngine, PilotAPIException

METRIC_FIELDS = ["task_id", "task_name", "pilot_scheduled", "submit_time", "wait_time_secs", "completion_time",
                 "execution_secs", "status", "error_msg"]

# Ray's and Dask's resource names, as Pilot-Quantum scripts pass them, to task fields.
_RESOURCE_ALIASES = {"num_cpus": "cores", "num_gpus": "gpus", "cpus": "cores", "qpus": "qpu"}


def task_fields(resources: Optional[dict[str, Any]]) -> dict[str, Any]:
    """``resources={...}`` as task fields: SwiftPilot's names (``cores``, ``gpus``, ``qpu``, ``mem``,
    ``time``, ...) or Ray's (``num_cpus``, ``num_gpus``, ``memory`` in bytes)."""
    out: dict[str, Any] = {}
    for k, v in (resources or {}).items():
        if k == "memory":
            out["mem"] = f"{max(1, int(v) // (1 << 20))}M"
            continue
        name = _RESOURCE_ALIASES.get(k, k)
        if name not in RESOURCE_FIELDS:
            raise PilotAPIException(f"unknown resource '{k}' (task fields: {', '.join(RESOURCE_FIELDS)}; or num_cpus, num_gpus, memory)",
                                    field=f"resources.{k}")
        if name in ("cores", "gpus") and isinstance(v, float):
            if not v.is_integer():
                raise PilotAPIException(f"must be a whole number, got {v}", field=f"resources.{k}")
            v = int(v)
        out[name] = v
    return out


class PilotFuture(concurrent.futures.Future):  # type: ignore[type-arg]
    """A submitted task: a ``concurrent.futures.Future`` of the function's value, plus its metrics."""

    def __init__(self, call: _CallFuture, name: str, pilot: str, service: "PilotComputeBase") -> None:
        super().__init__()
        self._call = call
        self.task_name = name
        self.pilot_scheduled = pilot
        self.submit_time = datetime.now()
        self.metrics: dict[str, Any] = {"task_id": None, "task_name": name, "pilot_scheduled": pilot,
                                        "submit_time": self.submit_time, "wait_time_secs": None, "completion_time": None,
                                        "execution_secs": None, "status": "PENDING", "error_msg": None}
        self._service = service
        call.add_done_callback(self._ended)

    @property
    def task_id(self) -> Optional[int]:
        return self._call.task_id

    def cancel(self) -> bool:
        return self._call.cancel()

    def _ended(self, done: "concurrent.futures.Future[Any]") -> None:
        call = self._call
        m = self.metrics
        m["task_id"] = call.task_id
        m["completion_time"] = datetime.now()
        if call.cancelled():
            m["status"] = "CANCELED"
        elif call.exception() is not None:
            m["status"] = "FAILED"
            m["error_msg"] = f"{type(call.exception()).__name__}: {call.exception()}"
        else:
            m["status"] = "SUCCESS"
        # Wait and execution time by the manager's clock: ready → started, started → ended.
        if call.task_id is not None:
            try:
                info = self._service._client.status(call.task_id)
                if info.get("started_at") is not None:
                    m["wait_time_secs"] = max(0.0, float(info["started_at"]) - float(info["submitted_at"]))
                    if info.get("ended_at") is not None:
                        m["execution_secs"] = max(0.0, float(info["ended_at"]) - float(info["started_at"]))
            except PilotError:
                pass
        self._service._record(m)
        if call.cancelled():
            if super().cancel():
                self.set_running_or_notify_cancel()
        elif call.exception() is not None:
            self.set_exception(call.exception())
        else:
            self.set_result(call.result())


class PilotComputeBase:
    """What a service and a pilot share: submitting Python functions and waiting for them."""

    _client: Client
    _executor: PilotExecutor
    pcs_working_directory: str
    metrics_file_name: str

    def _setup(self, client: Client, executor: PilotExecutor, working_directory: str) -> None:
        self._client = client
        self._executor = executor
        self.pcs_working_directory = working_directory
        self.metrics_file_name = os.path.join(working_directory, "metrics.csv")
        self._metrics_lock = threading.Lock()
        self._tasks: list[PilotFuture] = []

    def submit_task(self, func: Callable[..., Any], *args: Any, task_name: Optional[str] = None,
                    resources: Optional[dict[str, Any]] = None, pilot: Optional[str] = None, **kwargs: Any) -> PilotFuture:
        """Runs ``func(*args, **kwargs)`` as a SwiftPilot task; ``resources`` holds task fields
        (``cores``, ``gpus``, ``qpu``, ``mem``, ``time``, ...).

        ``pilot=NAME`` places the task on one pilot, as in Pilot-Quantum: ``NAME`` is the ``name`` a
        pilot got from ``create_pilot`` (mapped to the manager's pilot id for a Slurm pilot) or a
        pilot id the manager knows (``pilot pilots list``, an agent's ``--pilot-id``). The task waits
        while that pilot is pending; a name the manager does not know, or a pilot that has ended,
        raises ``PilotError`` (400, field ``tasks[0].pilot``) when the call is sent."""
        name = task_name or f"task-{uuid.uuid4()}"
        fields = task_fields(resources)
        fields.setdefault("name", name)
        if pilot is not None:
            target = self._pilot_field(pilot)
            if target is not None:
                fields["pilot"] = target
        call = self._executor.options(**fields).submit(func, *args, **kwargs)
        f = PilotFuture(call, name, pilot or getattr(self, "_pilot_name", None) or "ANY", self)
        self._tasks.append(f)
        return f

    def task(self, func: Callable[..., Any]) -> Callable[..., PilotFuture]:
        """A decorator: calling the decorated function submits it."""
        def wrapper(*args: Any, **kwargs: Any) -> PilotFuture:
            return self.submit_task(func, *args, **kwargs)
        return wrapper

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Submits and waits: the function's value."""
        return self.submit_task(func, *args, **kwargs).result()

    def wait_tasks(self, tasks: Iterable[concurrent.futures.Future], timeout: Optional[float] = None) -> None:  # type: ignore[type-arg]
        """Blocks until every task ended (done, failed or canceled)."""
        concurrent.futures.wait(list(tasks), timeout=timeout)

    def get_results(self, tasks: Iterable[concurrent.futures.Future]) -> list[Any]:  # type: ignore[type-arg]
        """The tasks' values in order; a failed task's exception is raised, with its remote traceback."""
        return [t.result() for t in tasks]

    def _pilot_field(self, pilot: str) -> Optional[str]:
        """The task field for ``pilot=``: a pilot this service created by its name, else the name as given."""
        service = getattr(self, "_service", self)
        created = getattr(service, "pilots", {}).get(pilot)
        return created.target if created is not None else pilot

    def get_task_metrics(self) -> list[dict[str, Any]]:
        """Per task: name, id, wait and execution seconds, status (SUCCESS, FAILED, CANCELED, PENDING), error."""
        return [dict(t.metrics) for t in self._tasks]

    def _record(self, m: dict[str, Any]) -> None:
        with self._metrics_lock:
            new = not os.path.exists(self.metrics_file_name)
            with open(self.metrics_file_name, "a", newline="") as f:
                w = csv.DictWriter(f, fieldnames=METRIC_FIELDS)
                if new:
                    w.writeheader()
                w.writerow(m)


class PilotCompute(PilotComputeBase):
    """One pilot: a Slurm job submitted through the manager, or the agents already registered."""

    def __init__(self, service: "PilotComputeService", name: str, pilot_id: Optional[str], description: dict[str, Any],
                 agents_pilot: Optional[str] = None) -> None:
        self._setup(service._client, service._executor, service.pcs_working_directory)
        self._service = service
        self._pilot_name = name
        self.pilot_id = pilot_id
        self._agents_pilot = agents_pilot
        self.description = description
        self._tasks = service._tasks

    def get_id(self) -> str:
        return self.pilot_id or self._pilot_name

    @property
    def target(self) -> Optional[str]:
        """What ``submit_task(..., pilot=NAME)`` pins tasks to: the manager's pilot id, or None when
        this pilot stands for every registered agent (created without a profile under a name no
        agent reports)."""
        return self.pilot_id or self._agents_pilot

    def get_state(self) -> str:
        """The pilot's Slurm state (pending, running, ...); ``running`` for existing agents."""
        if self.pilot_id is None:
            return "running"
        return str(self._client.pilot(self.pilot_id)["state"])

    def get_details(self) -> dict[str, Any]:
        if self.pilot_id is None:
            return {"name": self._pilot_name, "agents": self._client.agents()}
        return self._client.pilot(self.pilot_id)

    def get_client(self) -> Client:
        return self._client

    def wait(self, timeout: float = 600.0) -> None:
        """Blocks until the pilot has registered agents (Slurm started it and its agents reached the manager)."""
        import time
        deadline = time.monotonic() + timeout
        while True:
            if self.pilot_id is None:
                if self._client.summary()["agents"] > 0:
                    return
            else:
                p = self._client.pilot(self.pilot_id)
                if p["state"] == "running" and p.get("agents", 0) > 0:
                    return
                if p["state"] in ("completed", "failed", "cancelled", "timeout"):
                    raise PilotAPIException(f"pilot {self.pilot_id} ended {p['state']}" + (f": {p['reason']}" if p.get("reason") else ""))
            if time.monotonic() > deadline:
                raise PilotAPIException(f"pilot {self.get_id()} has no agents after {timeout} s")
            time.sleep(0.5)

    def cancel(self) -> None:
        if self.pilot_id is not None:
            try:
                self._client.cancel_pilot(self.pilot_id)
            except PilotError as e:
                if e.status != 404:
                    raise


class PilotComputeService(PilotComputeBase):
    """Pilot-Quantum's entry point, with SwiftPilot underneath.

    ``execution_engine`` is accepted and ignored (every engine runs on SwiftPilot agents);
    ``working_directory`` holds ``pcs-<uuid>/`` with ``metrics.csv`` and the calls' pickles, and must
    be visible to the agents. The manager is found through ``server_dir`` (default: ``$PILOT_SERVER_DIR``
    or ``~/.pilot``) or a ``client``.
    """

    def __init__(self, execution_engine: Union[ExecutionEngine, str] = ExecutionEngine.DASK, working_directory: str = "/tmp",
                 *, server_dir: Union[str, Path, None] = None, client: Optional[Client] = None) -> None:
        self.execution_engine = execution_engine
        wd = os.path.join(working_directory, f"pcs-{uuid.uuid4()}")
        os.makedirs(wd, exist_ok=True)
        c = client or Client(server_dir)
        self._owns_client = client is None
        self._setup(c, PilotExecutor(c, work_dir=os.path.join(wd, "calls"), keep_files=False), wd)
        self.pilots: dict[str, PilotCompute] = {}

    def create_pilot(self, pilot_compute_description: dict[str, Any]) -> PilotCompute:
        """A pilot. With ``"profile"`` (a SwiftPilot cluster profile) a Slurm pilot is submitted through
        the manager, with ``number_of_nodes``, ``walltime`` (minutes), ``queue``, ``project`` and
        ``gpus_per_node`` as overrides; without one, the pilot is the agents already registered under
        its ``name`` (``pilot agent --pilot-id NAME``), or every registered agent if none is.
        ``submit_task(..., pilot=name)`` then runs tasks on this pilot's agents only."""
        d = dict(pilot_compute_description)
        name = str(d.get("name") or f"pilot-{uuid.uuid4()}")
        pilot_compute_description["name"] = name
        pilot_id = None
        profile = d.get("profile")
        if profile:
            overrides: dict[str, Any] = {}
            for key, field in (("number_of_nodes", "nodes"), ("queue", "partition"), ("project", "account"),
                               ("gpus_per_node", "gpus_per_node"), ("qos", "qos"), ("constraint", "constraint")):
                if d.get(key) is not None:
                    overrides[field] = d[key]
            if d.get("walltime") is not None:
                overrides["walltime"] = str(d["walltime"])
            r = self._client.submit_pilot(str(profile), **overrides)
            pilot_id = str(r["pilot"]["id"])
        agents_pilot = None
        if pilot_id is None and any(a.get("pilot") == name for a in self._client.agents()):
            # Agents started by hand as one pilot (``pilot agent --pilot-id NAME``): this pilot is them.
            agents_pilot = name
        pilot = PilotCompute(self, name, pilot_id, d, agents_pilot=agents_pilot)
        self.pilots[name] = pilot
        return pilot

    def get_client(self) -> Client:
        return self._client

    def get_pilots(self) -> list[str]:
        return list(self.pilots)

    def get_pilot(self, name: str) -> PilotCompute:
        if name not in self.pilots:
            raise PilotAPIException(f"pilot {name} not found")
        return self.pilots[name]

    def cancel(self) -> None:
        """Cancels the tasks still running, the pilots this service submitted, and closes the session."""
        for t in self._tasks:
            if not t.done():
                t.cancel()
        for p in self.pilots.values():
            p.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._owns_client:
            self._client.close()
