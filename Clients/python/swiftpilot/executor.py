"""``PilotExecutor``: a ``concurrent.futures.Executor`` that runs Python callables as SwiftPilot tasks."""
from __future__ import annotations

import concurrent.futures
import os
import pickle
import queue
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Optional, Union

from .client import Client
from .errors import PilotError, RemoteTraceback, TaskFailedError

#: Task fields a call may set (the task-field table's names, as the API takes them).
RESOURCE_FIELDS = ("cores", "gpus", "mem", "qpu", "custom", "pilot", "time", "time_limit", "priority", "retries",
                   "crash_limit", "env", "cwd", "name", "nodes", "ranks_per_node", "cores_per_rank", "gpus_per_rank",
                   "capture_output")


class PilotFuture(concurrent.futures.Future):  # type: ignore[type-arg]
    """The future of one call; ``task_id`` is set once the call's task is submitted."""

    def __init__(self, executor: "PilotExecutor") -> None:
        super().__init__()
        self._executor = executor
        self.task_id: Optional[int] = None
        self._submitted = threading.Event()
        self._mark_lock = threading.Lock()

    def task_id_when_submitted(self, timeout: Optional[float] = None) -> int:
        """The call's task id, once the background thread has submitted it."""
        if not self._submitted.wait(timeout):
            raise TimeoutError(f"the call was not submitted within {timeout} s")
        if self.task_id is None:
            raise self.exception(0) or PilotError("not_submitted", "the call was not submitted")
        return self.task_id

    def cancel(self) -> bool:
        if self.done():
            return self.cancelled()
        if self.task_id is not None:
            self._executor.client.cancel([self.task_id])
        return self._mark_cancelled()

    def _mark_cancelled(self) -> bool:
        # The caller and the thread that hears of the cancel from the manager may both get here.
        with self._mark_lock:
            if not concurrent.futures.Future.cancel(self):
                return self.cancelled()
            if self._state == "CANCELLED":
                self.set_running_or_notify_cancel()
            return True


class _Call:
    __slots__ = ("future", "task", "stem")

    def __init__(self, future: PilotFuture, task: dict[str, Any], stem: Path) -> None:
        self.future = future
        self.task = task
        self.stem = stem


class PilotExecutor(concurrent.futures.Executor):
    """Runs ``fn(*args, **kwargs)`` on SwiftPilot agents, one task per call.

    The function and its arguments are serialised with cloudpickle into ``work_dir`` (default:
    ``<server dir>/python/<session>``, which agents must see); the task runs
    ``python -m swiftpilot._runner`` with ``python`` (default: this interpreter) and writes the value
    or the exception back beside it. A call that raised re-raises its exception here, with the remote
    traceback as its ``__cause__``.

    Resources for every call are keyword arguments named as task fields (``cores``, ``gpus``,
    ``mem``, ``qpu``, ``pilot``, ``time``, ``time_limit``, ``retries``, ``env``, ...); ``options(**fields)``
    returns an executor sharing this one's session with some of them changed, for single calls
    (``ex.options(pilot="p-2").submit(fn)`` runs ``fn`` only on agents of pilot ``p-2``).
    Calls are sent to the manager in batches by a background thread, so ``submit`` returns at once.
    """

    def __init__(self, client: Optional[Client] = None, *, server_dir: Union[str, Path, None] = None,
                 work_dir: Union[str, Path, None] = None, python: str = sys.executable,
                 propagate_path: bool = True, keep_files: bool = False, **resources: Any) -> None:
        self.client = client if client is not None else Client(server_dir)
        self._owns_client = client is None
        _check_fields(resources)
        self.resources = resources
        base = Path(work_dir) if work_dir is not None else (self.client.server_dir or Path.cwd()) / "python"
        self.work_dir = base / uuid.uuid4().hex[:12]
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.python = python
        self.keep_files = keep_files
        # Functions defined in importable modules are pickled by reference: the runner finds their
        # modules on this process's path, and runs in its working directory.
        self._env: dict[str, str] = {}
        if propagate_path:
            # The interpreter's own directories come with it; only the caller's additions are passed.
            own = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
            extra = [p for p in [os.getcwd(), *sys.path] if p and not p.startswith(own)]
            self._env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(extra))
        self._queue: "queue.Queue[Optional[_Call]]" = queue.Queue()
        self._shutdown = False
        self._lock = threading.Lock()
        self._pending: set[PilotFuture] = set()
        self._submitter = threading.Thread(target=self._submit_loop, name="swiftpilot-submit", daemon=True)
        self._submitter.start()
        self._readers = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="swiftpilot-results")
        self._parent: Optional[PilotExecutor] = None

    def options(self, **resources: Any) -> "PilotExecutor":
        """This executor with some task fields changed (``ex.options(cores=2).submit(fn)``)."""
        _check_fields(resources)
        view = object.__new__(PilotExecutor)
        view.__dict__.update(self.__dict__)
        view.resources = dict(self.resources, **resources)
        view._parent = self._parent or self
        return view

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> PilotFuture:
        root = self._parent or self
        if root._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future = PilotFuture(root)
        stem = self.work_dir / uuid.uuid4().hex
        try:
            import cloudpickle
            data = cloudpickle.dumps((fn, args, kwargs))
        except Exception as e:
            raise PilotError("bad_input", f"cannot serialise the call to {getattr(fn, '__name__', fn)!r}: {e}", field="fn", cause=e) from e
        src = stem.with_name(stem.name + ".in.pkl")
        src.write_bytes(data)
        env = dict(self._env)
        env.update(self.resources.get("env") or {})
        task = {k: v for k, v in self.resources.items() if k != "env"}
        task.setdefault("name", f"py:{getattr(fn, '__qualname__', type(fn).__name__)}"[:200])
        task["command"] = [self.python, "-m", "swiftpilot._runner", str(src)]
        task["env"] = env
        task.setdefault("cwd", os.getcwd())
        with root._lock:
            root._pending.add(future)
        future.add_done_callback(lambda f: root._forget(f))
        root._queue.put(_Call(future, task, stem))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        root = self._parent or self
        if root is not self:
            return root.shutdown(wait, cancel_futures=cancel_futures)
        with self._lock:
            if self._shutdown:
                pending = list(self._pending)
            else:
                self._shutdown = True
                pending = list(self._pending)
                self._queue.put(None)
        if cancel_futures:
            for f in pending:
                f.cancel()
        if wait:
            concurrent.futures.wait(pending)
            self._submitter.join()
            self._readers.shutdown(wait=True)
            if self._owns_client:
                self.client.close()
            if not self.keep_files:
                try:
                    self.work_dir.rmdir()
                except OSError:
                    pass

    def _forget(self, f: "concurrent.futures.Future[Any]") -> None:
        with self._lock:
            self._pending.discard(f)

    def _submit_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < 2000:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._send([c for c in batch if not c.future.cancelled()])
            if stop:
                return

    def _send(self, batch: list[_Call]) -> None:
        if not batch:
            return
        try:
            watcher = self.client._ensure_watcher()
            r = self.client.transport.call("POST", "/v1/tasks", body={"tasks": [c.task for c in batch]})
        except PilotError as e:
            if len(batch) > 1 and e.status is not None and e.status < 500:
                # One bad call must not fail the others: send each alone to find it.
                for c in batch:
                    self._send([c])
                return
            for c in batch:
                self._fail(c, e)
            return
        for i, c in enumerate(batch):
            tid = int(r["first"]) + i
            c.future.task_id = tid
            c.future._submitted.set()
            watcher.watch(tid, self._on_end(c))

    def _on_end(self, c: _Call) -> Callable[[int, str], object]:
        # Reading the result off the event thread: one slow file never holds up other calls' ends.
        return lambda _task, state: self._readers.submit(self._finish, c, state)

    def _fail(self, c: _Call, e: BaseException) -> None:
        self._cleanup(c)
        c.future._submitted.set()
        if not c.future.done():
            c.future.set_exception(e)

    def _finish(self, c: _Call, state: str) -> None:
        f = c.future
        if f.done():
            self._cleanup(c)
            return
        if state == "canceled":
            self._cleanup(c)
            f._mark_cancelled()
            return
        out = c.stem.with_name(c.stem.name + ".out.pkl")
        try:
            with open(out, "rb") as fh:
                ok, value = pickle.load(fh)
        except FileNotFoundError:
            # No output: the runner never finished (killed, time limit, lost node, bad interpreter).
            info: dict[str, Any] = {}
            try:
                info = self.client.status(f.task_id or 0)
                tail = self.client.logs(f.task_id or 0, "stderr", tail=4000) if info.get("state") != "done" else ""
            except PilotError:
                tail = ""
            err = TaskFailedError(f.task_id or 0, str(info.get("state", state)), info.get("reason"), info)
            if tail:
                err.__cause__ = RemoteTraceback(tail)
            self._fail(c, err)
            return
        except Exception as e:
            self._fail(c, PilotError("bad_result", f"task {f.task_id}: cannot read the call's result: {e}", cause=e))
            return
        self._cleanup(c)
        if ok:
            f.set_result(value)
        else:
            exc, tb = value
            if isinstance(exc, BaseException):
                exc.__cause__ = RemoteTraceback(tb)
                f.set_exception(exc)
            else:
                f.set_exception(RemoteTraceback(tb))

    def _cleanup(self, c: _Call) -> None:
        if self.keep_files:
            return
        for suffix in (".in.pkl", ".out.pkl"):
            try:
                os.unlink(c.stem.with_name(c.stem.name + suffix))
            except OSError:
                pass


def _check_fields(resources: dict[str, Any]) -> None:
    for k in resources:
        if k not in RESOURCE_FIELDS:
            import difflib
            near = difflib.get_close_matches(k, RESOURCE_FIELDS, 1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise PilotError("bad_input", f"unknown task field '{k}'{hint}", field=k)
