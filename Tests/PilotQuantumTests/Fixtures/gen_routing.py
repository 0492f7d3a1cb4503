"""Generates routing_fixtures.json: 50 seeded random circuits of 5-20 qubits (one- and two-qubit
gates between arbitrary qubit pairs) for the shipped heavy-hex (superconducting-27) and line
(line-20) devices, each with the SWAP count of Qiskit's SABRE (SabreLayout, which places the
circuit and routes it with SabreSwap) on the device's coupling map. Run by hand in a throw-away
venv with qiskit installed:

    /tmp/qvenv/bin/python gen_routing.py

The coupling maps are read from Profiles/qpu/*.yaml so the fixture follows the shipped profiles.
Qiskit's count is the best of its default layout and swap trials for one seed; the Swift test
records our count next to it and bounds the ratio of the means.
"""
import ast
import json
import os
import random
import re

import qiskit
from qiskit import QuantumCircuit, qasm2
from qiskit.transpiler import CouplingMap, PassManager
from qiskit.transpiler.passes import SabreLayout

HERE = os.path.dirname(os.path.abspath(__file__))
PROFILES = os.path.join(HERE, "..", "..", "..", "Profiles", "qpu")
DEVICES = ["superconducting-27", "line-20"]


def coupling_map(device):
    text = open(os.path.join(PROFILES, device + ".yaml")).read()
    match = re.search(r"coupling_map:\s*(\[\[.*?\]\])", text, re.S)
    return ast.literal_eval(match.group(1))


def random_two_qubit_circuit(rng, n, layers):
    qc = QuantumCircuit(n)
    for _ in range(layers):
        for q in range(n):
            kind = rng.choice(["rx", "ry", "rz", "h"])
            if kind == "h":
                qc.h(q)
            else:
                getattr(qc, kind)(rng.uniform(-3, 3), q)
        qubits = list(range(n))
        rng.shuffle(qubits)
        for k in range(n // 2):
            a, b = qubits[2 * k], qubits[2 * k + 1]
            kind = rng.choice(["cx", "cx", "cz", "cp", "rzz"])
            if kind in ("cp", "rzz"):
                getattr(qc, kind)(rng.uniform(-3, 3), a, b)
            else:
                getattr(qc, kind)(a, b)
    return qc


def main():
    rng = random.Random(20261203)
    circuits = []
    for index in range(50):
        device = DEVICES[index % 2]
        n = 5 + (index * 7) % 16  # 5..20, spread over both devices
        layers = 3 + index % 4
        qc = random_two_qubit_circuit(rng, n, layers)
        edges = coupling_map(device)
        cmap = CouplingMap(edges)
        cmap.make_symmetric()
        routed = PassManager([SabreLayout(cmap, seed=index)]).run(qc)
        circuits.append({
            "name": f"route_{index:02d}_{device}_{n}q",
            "device": device,
            "qubits": n,
            "qasm": qasm2.dumps(qc),
            "qiskit_swaps": int(routed.count_ops().get("swap", 0)),
        })
    with open(os.path.join(HERE, "routing_fixtures.json"), "w") as f:
        json.dump({"generator": "gen_routing.py", "qiskit": qiskit.__version__, "circuits": circuits}, f,
                  separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
