"""A Pilot-Quantum-compatible facade over SwiftPilot.

A Pilot-Quantum script runs on SwiftPilot with one changed import::

    from swiftpilot.pilot_quantum.pilot_compute_service import ExecutionEngine, PilotComputeService

``PilotComputeService.create_pilot({...})`` submits a Slurm pilot through the manager when the
description names a SwiftPilot ``profile`` (else tasks run on the agents already registered);
``submit_task(fn, *args, resources={...}, task_name=...)`` runs ``fn`` on an agent through a
:class:`~swiftpilot.PilotExecutor`; ``wait_tasks``, ``get_results``, ``cancel`` and per-task metrics
(wait and execution seconds, status, error) work as in Pilot-Quantum.
"""
from .pilot_compute_service import PilotCompute, PilotComputeService, PilotFuture
from .pilot_enums_exceptions import ExecutionEngine, PilotAPIException

__all__ = ["PilotComputeService", "PilotCompute", "PilotFuture", "ExecutionEngine", "PilotAPIException"]
