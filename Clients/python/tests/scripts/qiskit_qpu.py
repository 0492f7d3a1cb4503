"""A QPU-proxy command for SwiftPilot's ``command`` executor, backed by Qiskit's own simulators.

    python qiskit_qpu.py MODE {circuit} {shots} {seed} {observables}

It keeps the command contract: it reads the OpenQASM 2 circuit, and prints one JSON object.
- ``counts`` mode always samples: ``{"counts": {...}}`` from Qiskit's ``BasicSimulator`` (keys as
  Qiskit writes them, registers separated by spaces; a circuit measuring nothing is measured whole).
  An estimator job then has to measure each Pauli term in its basis from counts.
- ``expectations`` mode answers observables with expectation values: exact from the state vector
  when shots is 0, else each term measured ``shots`` times (a binomial sample of its ±1 outcomes)
  with the standard error of that sample. Without observables it samples as ``counts`` mode does.
"""
from __future__ import annotations

import json
import sys

import numpy as np
from qiskit import qasm2, transpile
from qiskit.providers.basic_provider import BasicSimulator
from qiskit.quantum_info import SparsePauliOp, Statevector


def main(argv: list[str]) -> int:
    mode, path, shots, seed, observables = argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5]
    qc = qasm2.load(path, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    labels = [label for label in observables.split(",") if label]
    if labels and mode == "expectations":
        state = Statevector(qc.remove_final_measurements(inplace=False))
        rng = np.random.default_rng(seed)
        out = []
        for label in labels:
            exact = float(np.real(state.expectation_value(SparsePauliOp(label))))
            if shots == 0:
                out.append(exact)
                continue
            plus = int(rng.binomial(shots, min(1.0, max(0.0, (1 + exact) / 2))))
            value = 2 * plus / shots - 1
            out.append({"value": value, "standardError": float(np.sqrt(max(0.0, 1 - value * value) / shots))})
        print(json.dumps({"expectations": out}))
        return 0
    if mode not in ("counts", "expectations"):
        print(f"unknown mode {mode!r}", file=sys.stderr)
        return 2
    if qc.num_clbits == 0:
        qc.measure_all()
    backend = BasicSimulator()
    result = backend.run(transpile(qc, backend), shots=max(1, shots), seed_simulator=seed % (2**31)).result()
    print(json.dumps({"counts": result.get_counts()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
