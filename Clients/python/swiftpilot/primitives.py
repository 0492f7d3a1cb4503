"""Qiskit primitives on SwiftPilot: ``SamplerV2`` and ``EstimatorV2`` run PUBs as quantum tasks.

Each ``run`` call becomes one quantum task whose payload is a PUB job (see the README's "PUB jobs"):
every circuit is exported with ``qiskit.qasm3.dumps``, its parameters renamed ``_sp0, _sp1, ...`` in
the order of ``circuit.parameters`` so the binding columns are unambiguous, and the bindings and
observables are sent as nested lists with their shapes. The manager leases a slot on a QPU-proxy
device chosen by name (``"ideal-sim"``), by width (``"any:qubits>=5"``; by default the narrowest
width that fits every circuit of the call), or by the manager at bind time (``"auto:fidelity"``,
``"auto:fastest"``, ``"auto:balanced"``; see the README's "Choosing a device"), and the agent runs all PUBs of the task, reading each
circuit once and binding it per parameter set.

Results are Qiskit's own types: ``PrimitiveResult`` of ``SamplerPubResult`` with one ``BitArray``
per classical register, or of ``PubResult`` with ``evs`` and ``stds``, in the PUB's broadcast shape.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Optional

try:
    import numpy as np
    from qiskit import qasm3
    from qiskit.circuit import Parameter, QuantumCircuit
    from qiskit.primitives import (BaseEstimatorV2, BasePrimitiveJob, BaseSamplerV2, BitArray, DataBin,
                                   PrimitiveResult, PubResult, SamplerPubResult)
    from qiskit.primitives.containers.estimator_pub import EstimatorPub, EstimatorPubLike
    from qiskit.primitives.containers.sampler_pub import SamplerPub, SamplerPubLike
    from qiskit.providers import JobStatus
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(f"swiftpilot.primitives needs Qiskit ≥ 1.2 (pip install qiskit): {e}") from e

from .errors import PilotError

__all__ = ["SamplerV2", "EstimatorV2", "PilotPrimitiveJob", "qpu_selector"]

_PREFIX = "_sp"


def qpu_selector(device: Optional[str], qubits: int) -> str:
    """The task's ``qpu`` field: a device name, ``any:qubits>=N`` or a full selector; a slot count of
    1 is added when none is given. ``None`` asks for any device with at least ``qubits`` qubits."""
    if device is None:
        return f"any:qubits>={max(1, qubits)}:1"
    parts = device.split(":")
    if not parts[0]:
        raise PilotError("bad_input", f"'{device}': expected DEVICE, any:qubits>=N or a full selector", field="qpu")
    if not parts[-1].isdigit():
        parts.append("1")
    return ":".join(parts)


def _export(circuit: QuantumCircuit) -> tuple[str, list[str]]:
    """OpenQASM 3 text of ``circuit`` and the input name of each of ``circuit.parameters``, in order."""
    params = list(circuit.parameters)
    if not params:
        return qasm3.dumps(circuit), []
    names = [f"{_PREFIX}{i}" for i in range(len(params))]
    renamed = circuit.assign_parameters(dict(zip(params, [Parameter(n) for n in names])), inplace=False)
    text = qasm3.dumps(renamed)
    for n in names:
        if not re.search(rf"\binput\s+float\[64\]\s+{n}\s*;", text):
            raise PilotError("bad_input", f"qasm3.dumps renamed the circuit parameter it was given as '{n}'; "
                             f"rename registers or gates named '{_PREFIX}…' in the circuit")
    return text, names


def _nested(values: np.ndarray) -> Any:
    return np.asarray(values, dtype=float).tolist()


class PilotPrimitiveJob(BasePrimitiveJob):  # type: ignore[type-arg]
    """A primitive job backed by one SwiftPilot task; ``job_id()`` is the task id."""

    def __init__(self, future: Any, convert: Any) -> None:
        super().__init__(str(future.task_id))
        self._future = future
        self._convert = convert
        self._result: Optional[PrimitiveResult] = None  # type: ignore[type-arg]

    @property
    def task_id(self) -> int:
        return int(self._future.task_id)

    def result(self, timeout: Optional[float] = None) -> PrimitiveResult:  # type: ignore[type-arg]
        if self._result is None:
            self._result = self._convert(self._future.result(timeout), self.task_id)
        return self._result

    def status(self) -> JobStatus:
        if self._future.cancelled():
            return JobStatus.CANCELLED
        if self._future.done():
            return JobStatus.ERROR if self._future.exception() is not None else JobStatus.DONE
        return JobStatus.RUNNING if self._future.running() else JobStatus.QUEUED

    def done(self) -> bool:
        return self.status() == JobStatus.DONE

    def running(self) -> bool:
        return self.status() == JobStatus.RUNNING

    def cancelled(self) -> bool:
        return self.status() == JobStatus.CANCELLED

    def in_final_state(self) -> bool:
        return self.status() in (JobStatus.DONE, JobStatus.CANCELLED, JobStatus.ERROR)

    def cancel(self) -> bool:
        return bool(self._future.cancel())


class _PilotPrimitive:
    def __init__(self, client: Any = None, *, qpu: Optional[str] = None, seed: Optional[int] = None,
                 task_fields: Optional[dict[str, Any]] = None) -> None:
        if client is None:
            from .client import Client
            client = Client()
        self.client = client
        self.qpu = qpu
        self.seed = seed
        self.task_fields = dict(task_fields or {})

    def _submit(self, job: dict[str, Any], qubits: int, name: str) -> Any:
        selector = qpu_selector(self.qpu, qubits)
        head = selector.split(":", 1)[0]
        if head != "any":
            job["device"] = head
        if self.seed is not None:
            job["seed"] = int(self.seed)
        task = dict(self.task_fields, kind="quantum", qpu=selector, payload=json.dumps(job))
        task.setdefault("name", name)
        return self.client.submit_tasks([task])[0]


class SamplerV2(_PilotPrimitive, BaseSamplerV2):
    """Qiskit's ``BaseSamplerV2`` on a SwiftPilot QPU-proxy device.

    ``client`` is a ``swiftpilot.Client`` (default: the manager of ``$PILOT_SERVER_DIR`` or ``~/.pilot``);
    ``qpu`` a device name, ``any:qubits>=N`` or ``None`` (any device wide enough); ``seed`` makes
    counts repeatable; ``task_fields`` are extra task fields (``priority``, ``time_limit``, ...).
    """

    def __init__(self, client: Any = None, *, qpu: Optional[str] = None, default_shots: int = 1024,
                 seed: Optional[int] = None, task_fields: Optional[dict[str, Any]] = None) -> None:
        super().__init__(client, qpu=qpu, seed=seed, task_fields=task_fields)
        self.default_shots = int(default_shots)

    def run(self, pubs: Iterable[SamplerPubLike], *, shots: Optional[int] = None) -> PilotPrimitiveJob:
        coerced = [SamplerPub.coerce(p, shots if shots is not None else self.default_shots) for p in pubs]
        if not coerced:
            raise PilotError("bad_input", "no PUBs to run", field="pubs")
        out = []
        for pub in coerced:
            text, names = _export(pub.circuit)
            entry: dict[str, Any] = {"circuit": text, "shots": int(pub.shots)}
            if names:
                entry["parameters"] = names
                entry["parameter_values"] = _nested(pub.parameter_values.as_array(list(pub.circuit.parameters)))
            elif pub.parameter_values.shape != ():
                entry["parameter_values"] = _nested(np.zeros(pub.parameter_values.shape + (0,)))
            out.append(entry)
        qubits = max(p.circuit.num_qubits for p in coerced)
        future = self._submit({"version": 1, "primitive": "sampler", "pubs": out}, qubits, "sampler")
        seed = self.seed
        return PilotPrimitiveJob(future, lambda result, task_id: _sampler_result(coerced, result, task_id, seed))


def _sampler_result(pubs: list[SamplerPub], result: dict[str, Any], task_id: int,
                    seed: Optional[int]) -> PrimitiveResult:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    results = []
    for pub, r in zip(pubs, result["pubs"]):
        shape = tuple(r["shape"])
        if shape != pub.shape:
            raise PilotError("internal", f"the manager returned shape {shape} for a PUB of shape {pub.shape}")
        registers = [(reg["name"], int(reg["size"])) for reg in r["registers"]]
        cregs = list(pub.circuit.cregs)
        # qasm3.dumps keeps the declaration order of registers; names it had to change map by position.
        if len(cregs) == len(registers) and all(c.size == s for c, (_, s) in zip(cregs, registers)):
            names = [c.name for c in cregs]
        else:
            names = [n for n, _ in registers]
        shots = int(r["shots"])
        samples: dict[str, list[list[str]]] = {n: [] for n in names}
        for b in range(int(np.prod(shape, dtype=int))):
            per: list[list[str]] = [[] for _ in registers]
            if len(registers) > 1:
                for key, n in sorted(r["joint_counts"][b].items()):
                    parts = key.split(" ")[::-1]
                    for k in range(len(registers)):
                        per[k].extend([parts[k]] * int(n))
            elif registers:
                for key, n in sorted(r["counts"][b][registers[0][0]].items()):
                    per[0].extend([key] * int(n))
            # Counts carry no shot order; shuffling (the same permutation for every register keeps a
            # shot's bits together) avoids handing out sorted "memory".
            order = rng.permutation(shots)
            for k, n in enumerate(names):
                samples[n].append([per[k][i] for i in order])
        data = {}
        for (n, (_, size)) in zip(names, registers):
            arrays = [BitArray.from_samples(s, size).array for s in samples[n]]
            packed = np.stack(arrays).reshape(shape + (shots, (size + 7) // 8)) if arrays else \
                np.zeros(shape + (shots, (size + 7) // 8), dtype=np.uint8)
            data[n] = BitArray(packed, size)
        results.append(SamplerPubResult(DataBin(**data, shape=shape),
                                        metadata={"shots": shots, "circuit_metadata": pub.circuit.metadata}))
    return PrimitiveResult(results, metadata={"version": 2, "task_id": task_id, "device": result.get("device"),
                                              "seed": result.get("seed")})


class EstimatorV2(_PilotPrimitive, BaseEstimatorV2):
    """Qiskit's ``BaseEstimatorV2`` on a SwiftPilot QPU-proxy device.

    ``default_precision`` is the standard deviation aimed for when a PUB gives none: each Pauli term
    is measured with ⌈Σc²/precision²⌉ shots. Precision 0 asks for exact values (standard deviation 0).
    """

    def __init__(self, client: Any = None, *, qpu: Optional[str] = None, default_precision: float = 0.015625,
                 seed: Optional[int] = None, task_fields: Optional[dict[str, Any]] = None) -> None:
        super().__init__(client, qpu=qpu, seed=seed, task_fields=task_fields)
        self.default_precision = float(default_precision)

    def run(self, pubs: Iterable[EstimatorPubLike], *, precision: Optional[float] = None) -> PilotPrimitiveJob:
        p = self.default_precision if precision is None else float(precision)
        coerced = [EstimatorPub.coerce(pub, p) for pub in pubs]
        if not coerced:
            raise PilotError("bad_input", "no PUBs to run", field="pubs")
        out = []
        for pub in coerced:
            text, names = _export(pub.circuit)
            entry: dict[str, Any] = {"circuit": text, "precision": float(pub.precision),
                                     "observables": _observables(pub)}
            if names:
                entry["parameters"] = names
                entry["parameter_values"] = _nested(pub.parameter_values.as_array(list(pub.circuit.parameters)))
            elif pub.parameter_values.shape != ():
                entry["parameter_values"] = _nested(np.zeros(pub.parameter_values.shape + (0,)))
            out.append(entry)
        qubits = max(p.circuit.num_qubits for p in coerced)
        future = self._submit({"version": 1, "primitive": "estimator", "pubs": out}, qubits, "estimator")
        return PilotPrimitiveJob(future, lambda result, task_id: _estimator_result(coerced, result, task_id))


def _observables(pub: EstimatorPub) -> Any:
    """The ObservablesArray as nested lists of ``[[pauli, coeff], ...]`` terms."""
    def convert(obs: Any) -> Any:
        if isinstance(obs, list):
            return [convert(o) for o in obs]
        terms = []
        for label, coeff in dict(obs).items():
            c = complex(coeff)
            if abs(c.imag) > 1e-12:
                raise PilotError("bad_input", f"observable term {label} has a complex coefficient {c}: "
                                 "expectation values need real coefficients", field="observables")
            terms.append([str(label), float(c.real)])
        if not terms:
            # The zero operator: one identity term with coefficient 0 keeps its place in the array.
            terms.append(["I" * pub.circuit.num_qubits, 0.0])
        return terms
    return convert(pub.observables.tolist())


def _estimator_result(pubs: list[EstimatorPub], result: dict[str, Any],
                      task_id: int) -> PrimitiveResult:  # type: ignore[type-arg]
    results = []
    for pub, r in zip(pubs, result["pubs"]):
        shape = tuple(r["shape"])
        if shape != pub.shape:
            raise PilotError("internal", f"the manager returned shape {shape} for a PUB of shape {pub.shape}")
        evs = np.asarray(r["evs"], dtype=float).reshape(shape)
        stds = np.asarray(r["stds"], dtype=float).reshape(shape)
        results.append(PubResult(DataBin(evs=evs, stds=stds, shape=shape),
                                 metadata={"target_precision": pub.precision, "shots": int(r["shots"]),
                                           "circuit_metadata": pub.circuit.metadata}))
    return PrimitiveResult(results, metadata={"version": 2, "task_id": task_id, "device": result.get("device"),
                                              "seed": result.get("seed")})
