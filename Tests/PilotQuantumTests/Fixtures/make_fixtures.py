"""Generates qiskit_fixtures.json: random OpenQASM 2 circuits with Qiskit's statevectors and
Pauli expectation values. Run by hand in a venv with qiskit installed:

    python make_fixtures.py > qiskit_fixtures.json

Circuits are imported with qasm2.loads(..., custom_instructions=LEGACY_CUSTOM_INSTRUCTIONS) and
never transpiled, so the reference keeps Qiskit's exact gate definitions and global phases.
"""
import json
import math
import random
import sys

import qiskit
from qiskit import qasm2
from qiskit.quantum_info import Pauli, Statevector

ONE_QUBIT = ["id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg"]
ONE_QUBIT_PARAM = {"rx": 1, "ry": 1, "rz": 1, "p": 1, "u1": 1, "u2": 2, "u3": 3, "u": 3}
TWO_QUBIT = ["cx", "cy", "cz", "ch", "swap", "csx"]
TWO_QUBIT_PARAM = {"crx": 1, "cry": 1, "crz": 1, "cp": 1, "cu1": 1, "cu3": 3, "cu": 4, "rxx": 1, "rzz": 1}
THREE_QUBIT = ["ccx", "cswap"]

EXPRESSIONS = [
    "pi/2", "-pi/4", "pi*3/8", "2*pi/3 - 0.25", "sin(0.3)^2", "cos(pi/5)", "sqrt(2)/3",
    "exp(-0.5)", "ln(2.5)", "tan(0.4)", "-(pi - 1.2)", "0.5e-1 + pi^2/10", "1.25",
]


def angle(rng):
    if rng.random() < 0.3:
        return rng.choice(EXPRESSIONS)
    return repr(round(rng.uniform(-2 * math.pi, 2 * math.pi), 12))


def random_circuit(rng, n, index):
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";']
    # Several registers in some circuits to exercise global qubit numbering.
    if n >= 4 and index % 3 == 0:
        split = rng.randint(1, n - 1)
        regs = [("a", split), ("b", n - split)]
    else:
        regs = [("q", n)]
    qubits = []
    for name, size in regs:
        lines.append(f"qreg {name}[{size}];")
        qubits += [f"{name}[{i}]" for i in range(size)]
    user_gates = []
    if index % 4 == 1:
        lines.append("gate mix(theta, phi) x, y { h x; cx x, y; rz(theta/2 + phi) y; u2(phi, -theta) x; cx x, y; }")
        lines.append("gate wrap(a) x, y, z { mix(a, a*2) x, z; ccx x, y, z; ry(-a) y; }")
        user_gates = [("mix", 2, 2), ("wrap", 1, 3)]
    depth = rng.randint(8, 30)
    if len(regs) == 1 and index % 5 == 2:
        lines.append("h q;")  # broadcast over the whole register
    for _ in range(depth):
        kind = rng.random()
        if kind < 0.35:
            g = rng.choice(ONE_QUBIT)
            lines.append(f"{g} {rng.choice(qubits)};")
        elif kind < 0.6:
            g = rng.choice(list(ONE_QUBIT_PARAM))
            params = ",".join(angle(rng) for _ in range(ONE_QUBIT_PARAM[g]))
            lines.append(f"{g}({params}) {rng.choice(qubits)};")
        elif kind < 0.75:
            a, b = rng.sample(qubits, 2)
            lines.append(f"{rng.choice(TWO_QUBIT)} {a},{b};")
        elif kind < 0.9:
            g = rng.choice(list(TWO_QUBIT_PARAM))
            a, b = rng.sample(qubits, 2)
            params = ",".join(angle(rng) for _ in range(TWO_QUBIT_PARAM[g]))
            lines.append(f"{g}({params}) {a},{b};")
        elif n >= 3 and kind < 0.95:
            a, b, c = rng.sample(qubits, 3)
            lines.append(f"{rng.choice(THREE_QUBIT)} {a},{b},{c};")
        elif user_gates and n >= 3:
            name, nparams, arity = rng.choice(user_gates)
            params = ",".join(angle(rng) for _ in range(nparams))
            lines.append(f"{name}({params}) " + ",".join(rng.sample(qubits, arity)) + ";")
        else:
            lines.append("barrier " + ",".join(rng.sample(qubits, min(2, n))) + ";")
    return "\n".join(lines) + "\n"


def random_pauli(rng, n):
    label = [rng.choice("IXYZ") for _ in range(n)]
    if all(c == "I" for c in label):
        label[rng.randrange(n)] = rng.choice("XYZ")
    return "".join(label)


def main():
    rng = random.Random(20240521)
    sizes = [2 + (i % 9) for i in range(52)] + [11, 12]
    circuits = []
    for index, n in enumerate(sizes):
        text = random_circuit(rng, n, index)
        qc = qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
        state = Statevector(qc)
        observables = []
        for _ in range(4):
            label = random_pauli(rng, n)
            observables.append({"pauli": label, "value": float(state.expectation_value(Pauli(label)).real)})
        circuits.append({
            "name": f"random_{index:02d}_{n}q",
            "qubits": n,
            "qasm": text,
            "statevector": [[float(a.real), float(a.imag)] for a in state.data],
            "observables": observables,
        })
    json.dump({"generator": "make_fixtures.py", "qiskit": qiskit.__version__, "circuits": circuits},
              sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
