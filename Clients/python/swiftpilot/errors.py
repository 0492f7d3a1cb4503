"""The package's errors: every one carries a code, a message and, where known, the field and cause."""
from __future__ import annotations

from typing import Any, Optional


class PilotError(Exception):
    """A request the manager refused, or a manager that could not be reached.

    ``code`` is the API's error code (``bad_request``, ``not_found``, ``unauthorized``, ``too_large``,
    ``internal``) or a client-side one (``unreachable``, ``no_access``, ``bad_input``); ``field``
    names the offending request field when the manager said which.
    """

    def __init__(self, code: str, message: str, *, field: Optional[str] = None, status: Optional[int] = None,
                 cause: Optional[BaseException] = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.__cause__ = cause


class TaskFailedError(PilotError):
    """A task ended failed or canceled; ``info`` is its task record as the manager returned it."""

    def __init__(self, task_id: int, state: str, reason: Optional[str], info: Optional[dict[str, Any]] = None) -> None:
        super().__init__("task_" + state, f"task {task_id} {state}" + (f": {reason}" if reason else ""))
        self.task_id = task_id
        self.state = state
        self.reason = reason
        self.info = info or {}


class RemoteTraceback(Exception):
    """The traceback of an exception raised on an agent; set as ``__cause__`` of the re-raised one."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return "\n\"\"\"\n" + self.tb + "\"\"\""
