"""A ``concurrent.futures.Future`` for one task of the manager."""
from __future__ import annotations

import concurrent.futures
import threading
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .client import Client


class TaskFuture(concurrent.futures.Future):  # type: ignore[type-arg]
    """Resolves when the task ends: its result is the JSON value the task wrote to ``$PILOT_RESULT_FILE``
    (``None`` without one); a failed task raises :class:`~swiftpilot.TaskFailedError`; a canceled one
    is cancelled. Works with ``concurrent.futures.wait`` and ``as_completed``."""

    def __init__(self, client: "Client", task_id: int) -> None:
        super().__init__()
        self.client = client
        self.task_id = task_id
        self._mark_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<TaskFuture task {self.task_id} {self._state.lower()}>"

    def cancel(self) -> bool:
        """Cancels the task on the manager; true unless it had already ended."""
        if self.done():
            return self.cancelled()
        self.client.cancel([self.task_id])
        return self._mark_cancelled()

    def _mark_cancelled(self) -> bool:
        # The caller and the thread that hears of the cancel from the manager may both get here.
        with self._mark_lock:
            if not concurrent.futures.Future.cancel(self):
                return self.cancelled()
            if self._state == "CANCELLED":
                self.set_running_or_notify_cancel()
            return True

    def info(self) -> dict[str, Any]:
        """The task's record now (state, binding, result, history)."""
        return self.client.status(self.task_id)

    def logs(self, stream: str = "stdout", tail: Optional[int] = None) -> str:
        return self.client.logs(self.task_id, stream=stream, tail=tail)

    @property
    def state(self) -> str:
        return str(self.info()["state"])
