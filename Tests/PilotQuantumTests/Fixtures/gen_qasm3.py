"""Generates the OpenQASM 3 fixtures with Qiskit's own exporter and statevectors. Run by hand in a
throw-away venv with qiskit installed (python3 -m venv /tmp/qvenv && /tmp/qvenv/bin/pip install qiskit):

    /tmp/qvenv/bin/python gen_qasm3.py

Writes next to this script:
  qasm3_fixtures.json   qasm3.dumps of seeded random circuits (qiskit.circuit.random.random_circuit),
                        one small circuit per stdgates.inc gate Qiskit writes, and parameterized
                        circuits (exported with `input float[64]`, bound values given separately),
                        each with the Statevector of the circuit without its final measurements.
  qelib1_extras.json    OpenQASM 2 circuits using rccx, rc3x, c3x, c3sqrtx and c4x, read by
                        qasm2.loads with the legacy custom instructions (Qiskit's gate classes),
                        with their statevectors.

qasm3.dumps drops global phases (the circuit's and those of gate definitions it writes out, such as
sxdg's), so circuits whose text defines gates are compared up to a global phase ("phase": "global");
the others must match amplitude for amplitude ("phase": "exact").
"""
import json
import math
import os
import random

import numpy as np
import qiskit
from qiskit import QuantumCircuit, QuantumRegister, ClassicalRegister, qasm2, qasm3
from qiskit.circuit import Parameter
from qiskit.circuit import library as lib
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Statevector

HERE = os.path.dirname(os.path.abspath(__file__))

# The stdgates.inc gates Qiskit writes without a definition, with their qubit and parameter counts.
STDGATES = {
    "p": (lib.PhaseGate, 1, 1), "x": (lib.XGate, 1, 0), "y": (lib.YGate, 1, 0), "z": (lib.ZGate, 1, 0),
    "h": (lib.HGate, 1, 0), "s": (lib.SGate, 1, 0), "sdg": (lib.SdgGate, 1, 0), "t": (lib.TGate, 1, 0),
    "tdg": (lib.TdgGate, 1, 0), "sx": (lib.SXGate, 1, 0), "rx": (lib.RXGate, 1, 1), "ry": (lib.RYGate, 1, 1),
    "rz": (lib.RZGate, 1, 1), "cx": (lib.CXGate, 2, 0), "cy": (lib.CYGate, 2, 0), "cz": (lib.CZGate, 2, 0),
    "cp": (lib.CPhaseGate, 2, 1), "crx": (lib.CRXGate, 2, 1), "cry": (lib.CRYGate, 2, 1),
    "crz": (lib.CRZGate, 2, 1), "ch": (lib.CHGate, 2, 0), "swap": (lib.SwapGate, 2, 0),
    "ccx": (lib.CCXGate, 3, 0), "cswap": (lib.CSwapGate, 3, 0), "cu": (lib.CUGate, 2, 4),
    "id": (lib.IGate, 1, 0), "u1": (lib.U1Gate, 1, 1), "u2": (lib.U2Gate, 1, 2), "u3": (lib.U3Gate, 1, 3),
    "U": (lib.UGate, 1, 3),
}


def amplitudes(circuit):
    state = Statevector(circuit.remove_final_measurements(inplace=False))
    return [[float(a.real), float(a.imag)] for a in state.data]


def entry(name, circuit, bindings=None):
    text = qasm3.dumps(circuit)
    bound = circuit.assign_parameters(bindings) if bindings else circuit
    item = {
        "name": name,
        "qubits": circuit.num_qubits,
        "qasm": text,
        "phase": "global" if "\ngate " in text else "exact",
        "statevector": amplitudes(bound),
    }
    if bindings:
        item["bindings"] = {p.name: v for p, v in bindings.items()}
    return item


def scrambled(n, rng):
    """A circuit that leaves n qubits in a generic entangled state, so a following gate acts on
    every amplitude."""
    qc = QuantumCircuit(n)
    for q in range(n):
        qc.u(rng.uniform(0, math.pi), rng.uniform(-math.pi, math.pi), rng.uniform(-math.pi, math.pi), q)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    for q in range(n):
        qc.ry(rng.uniform(-math.pi, math.pi), q)
    return qc


def random_fixtures(rng):
    out = []
    for i in range(20):
        n = 2 + i % 9
        depth = 3 + i % 5
        qc = random_circuit(n, depth, max_operands=min(4, n), measure=(i % 3 == 0), seed=1000 + i)
        out.append(entry(f"random_{i:02d}_{n}q", qc))
    return out


def stdgate_fixtures(rng):
    out = []
    for name, (cls, arity, nparams) in STDGATES.items():
        n = max(arity, 2)
        qc = scrambled(n, rng)
        params = [rng.uniform(-math.pi, math.pi) for _ in range(nparams)]
        qubits = list(range(n))[::-1][:arity]  # high qubits first: exercises argument order
        qc.append(cls(*params), qubits)
        out.append(entry(f"stdgate_{name}", qc))
    return out


def parameterized_fixtures(rng):
    out = []
    theta, phi, lam = Parameter("θ"), Parameter("phi"), Parameter("lam")
    a = QuantumRegister(2, "a")
    b = QuantumRegister(1, "b")
    c = ClassicalRegister(3, "c")
    qc = QuantumCircuit(a, b, c)
    qc.h(a)
    qc.rx(2 * theta + phi, a[0])
    qc.ry(-theta / 3, a[1])
    qc.rz(phi * theta, b[0])
    qc.p(theta - phi + 1.5, b[0])
    qc.cp(theta ** 2, a[0], b[0])
    qc.rzz(lam, a[1], b[0])
    qc.u(theta, phi, lam, a[1])
    qc.crx(lam / 2, b[0], a[0])
    qc.measure(a[:] + b[:], c)
    for k in range(3):
        values = {theta: rng.uniform(-2, 2), phi: rng.uniform(-2, 2), lam: rng.uniform(-2, 2)}
        out.append(entry(f"parameterized_{k}", qc, values))
    return out


def layout_fixtures(rng):
    """Loose qubits and bits (written as `qubit _qubit0;`) and several registers."""
    from qiskit.circuit import Qubit, Clbit
    qc = QuantumCircuit([Qubit(), Qubit(), Qubit()], [Clbit(), Clbit()])
    qc.h(0)
    qc.cx(0, 2)
    qc.ry(0.3, 1)
    qc.cswap(1, 0, 2)
    qc.measure(1, 0)
    qc.measure(2, 1)
    regs = QuantumCircuit(QuantumRegister(2, "left"), QuantumRegister(3, "right"), ClassicalRegister(5, "m"))
    regs.compose(scrambled(5, rng), inplace=True)
    regs.sxdg(3)
    regs.ecr(0, 4)
    regs.iswap(1, 3)
    regs.measure(range(5), range(5))
    return [entry("loose_bits", qc), entry("several_registers", regs)]


def qelib1_extras(rng):
    gates = [("rccx", 3), ("rc3x", 4), ("c3x", 4), ("c3sqrtx", 4), ("c4x", 5)]
    out = []
    for name, arity in gates:
        for k in range(2):
            n = arity + k
            lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{n}];"]
            for q in range(n):
                lines.append(f"u3({rng.uniform(0, math.pi)!r},{rng.uniform(-3, 3)!r},{rng.uniform(-3, 3)!r}) q[{q}];")
            for q in range(n - 1):
                lines.append(f"cx q[{q}],q[{q + 1}];")
            order = rng.sample(range(n), arity)
            lines.append(f"{name} " + ",".join(f"q[{q}]" for q in order) + ";")
            lines.append(f"ry({rng.uniform(-3, 3)!r}) q[{order[0]}];")
            text = "\n".join(lines) + "\n"
            qc = qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
            out.append({"name": f"{name}_{k}", "qubits": n, "qasm": text, "phase": "exact",
                        "statevector": amplitudes(qc)})
    return out


def main():
    rng = random.Random(20261203)
    np.random.seed(20261203)
    circuits = random_fixtures(rng) + stdgate_fixtures(rng) + parameterized_fixtures(rng) + layout_fixtures(rng)
    with open(os.path.join(HERE, "qasm3_fixtures.json"), "w") as f:
        json.dump({"generator": "gen_qasm3.py", "qiskit": qiskit.__version__, "circuits": circuits}, f,
                  separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(HERE, "qelib1_extras.json"), "w") as f:
        json.dump({"generator": "gen_qasm3.py", "qiskit": qiskit.__version__, "circuits": qelib1_extras(rng)}, f,
                  separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
