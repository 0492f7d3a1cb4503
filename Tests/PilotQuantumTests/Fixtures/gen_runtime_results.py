"""Generates runtime_results.json: primitive results in Qiskit Runtime's JSON encoding (what QRMI's
task_runner writes for a Qiskit-primitive task), made with qiskit-ibm-runtime's own RuntimeEncoder.
Run by hand in a venv with qiskit and qiskit-ibm-runtime (JobScripts/test.sh makes .build/venv-qrmi):

    .build/venv-qrmi/bin/python Tests/PilotQuantumTests/Fixtures/gen_runtime_results.py

Each entry: the PUB job it answers, the encoded result, and the counts or values it holds.
"""
import json
import os
from collections import Counter

import numpy as np
from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, PubResult, SamplerPubResult
from qiskit_ibm_runtime.json import RuntimeEncoder

rng = np.random.default_rng(7)
entries = []

# Sampler: two bindings, registers a[3] and b[2], 5 shots each.
job = {"primitive": "sampler", "pubs": [{
    "circuit": 'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] theta;\nqubit[3] q;\nbit[3] a;\nbit[2] b;\n'
               'ry(theta) q[0];\ncx q[0], q[1];\nh q[2];\na = measure q;\nb[0] = measure q[0];\nb[1] = measure q[2];\n',
    "parameter_values": [[0.1], [2.0]], "shots": 5}]}
a = rng.integers(0, 8, size=(2, 5))
b = rng.integers(0, 4, size=(2, 5))
bits_a = BitArray(a.astype(np.uint8)[..., None], num_bits=3)
bits_b = BitArray(b.astype(np.uint8)[..., None], num_bits=2)
result = PrimitiveResult([SamplerPubResult(DataBin(a=bits_a, b=bits_b, shape=(2,)), metadata={"shots": 5})],
                         metadata={"version": 2})
entries.append({"name": "sampler", "job": job, "result": json.dumps(result, cls=RuntimeEncoder),
                "counts": [{"a": bits_a[i].get_counts(), "b": bits_b[i].get_counts()} for i in range(2)],
                # Whole shots as the project keys them: registers last-declared first, space-separated.
                "joint_counts": [dict(Counter(f"{y} {x}" for x, y in zip(bits_a[i].get_bitstrings(), bits_b[i].get_bitstrings())))
                                 for i in range(2)]})

# Estimator: one binding against observables of shape (2,), with a precision target.
job = {"primitive": "estimator", "pubs": [{
    "circuit": 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n',
    "observables": ["ZZ", {"XX": 0.5, "IZ": -1.0}], "precision": 0.05}]}
evs, stds = rng.uniform(-1, 1, size=2), rng.uniform(0, 0.1, size=2)
result = PrimitiveResult([PubResult(DataBin(evs=evs, stds=stds, shape=(2,)),
                                    metadata={"shots": 400, "target_precision": 0.05})], metadata={"version": 2})
entries.append({"name": "estimator", "job": job, "result": json.dumps(result, cls=RuntimeEncoder),
                "evs": evs.tolist(), "stds": stds.tolist(), "shots": 400})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime_results.json"), "w") as f:
    json.dump(entries, f, indent=1)
