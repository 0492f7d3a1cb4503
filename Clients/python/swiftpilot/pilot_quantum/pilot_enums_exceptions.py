"""Pilot-Quantum's enums and exception, under the names its scripts import."""
from __future__ import annotations

from enum import Enum

from ..errors import PilotError


class ExecutionEngine(Enum):
    """Accepted for compatibility: every engine runs tasks on SwiftPilot agents."""

    DASK = "dask"
    RAY = "ray"
    SWIFTPILOT = "swiftpilot"


class PilotAPIException(PilotError):
    """What the facade raises for a request it cannot carry out."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__("pilot_api", message, field=field)
