"""Reads a task_runner input file with QRMI's and Qiskit's own classes and prints what they saw.

    python check_qrmi_payload.py INPUT.json

The payload must become a qrmi.Payload.QiskitPrimitive; every PUB's circuit must load with
qiskit.qasm3.loads and coerce into Qiskit's SamplerPub/EstimatorPub. For each PUB it prints the
shape, shots or precision, the circuit's parameters in Qiskit's order, and the probabilities of the
circuit (final measurements removed) bound to the PUB's first binding.
"""
import json
import sys

import qrmi
from qiskit import qasm3
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import Statevector

with open(sys.argv[1], encoding="utf-8") as f:
    document = json.load(f)
program = document["program_id"]
payload = qrmi.Payload.QiskitPrimitive(input=json.dumps(document["parameters"]), program_id=program)
assert isinstance(payload, qrmi.Payload.QiskitPrimitive)
pubs = []
for pub in document["parameters"]["pubs"]:
    circuit = qasm3.loads(pub[0])
    if program == "sampler":
        coerced = SamplerPub.coerce((circuit, pub[1], pub[2]))
        seen = {"shots": coerced.shots}
    else:
        coerced = EstimatorPub.coerce((circuit, pub[1], pub[2], pub[3]))
        seen = {"precision": coerced.precision, "observables": list(coerced.observables.shape)}
    first = (0,) * coerced.parameter_values.ndim
    bound = coerced.parameter_values.bind(circuit, first) if circuit.num_parameters else circuit
    seen.update(shape=list(coerced.shape), parameters=[p.name for p in circuit.parameters],
                probabilities=Statevector(bound.remove_final_measurements(inplace=False)).probabilities().tolist())
    pubs.append(seen)
print(json.dumps({"program_id": program, "version": document["parameters"]["version"], "pubs": pubs}))
