"""SwiftPilot from Python: the HTTP client, a ``concurrent.futures`` executor, a Pilot-Quantum facade.

Submodules load on first use, so ``python -m swiftpilot._runner`` on an agent starts quickly.
"""
from __future__ import annotations

# Not `typing.TYPE_CHECKING`: importing typing alone costs several ms in every call's runner.
TYPE_CHECKING = False

__version__ = "0.1.0"
__all__ = ["Client", "TaskFuture", "PilotExecutor", "PilotError", "TaskFailedError", "RemoteTraceback"]

if TYPE_CHECKING:
    from .client import Client
    from .errors import PilotError, RemoteTraceback, TaskFailedError
    from .executor import PilotExecutor
    from .task_future import TaskFuture

_where = {
    "Client": "client", "TaskFuture": "task_future", "PilotExecutor": "executor",
    "PilotError": "errors", "TaskFailedError": "errors", "RemoteTraceback": "errors",
}


def __getattr__(name: str) -> "object":
    if name in _where:
        import importlib
        return getattr(importlib.import_module("." + _where[name], __name__), name)
    raise AttributeError(f"module 'swiftpilot' has no attribute '{name}'")
