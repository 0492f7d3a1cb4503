"""PUB jobs on QPU-proxy devices whose executor is an external command, against the embedded simulator.

The command is ``scripts/qiskit_qpu.py``, a real simulator (Qiskit's ``BasicSimulator`` and
``Statevector``) behind the command contract, in two devices: ``qiskit-counts`` prints counts only
(so the estimator measures each Pauli term in its basis from counts) and ``qiskit-exp`` prints
expectation values for observables. The same PUBs run on ``ideal-sim`` (embedded), and the two
agree: sampler counts fit the exact distribution and each other, exact estimates to 1e-9, sampled
estimates within their standard errors. Every bound circuit is one process start of Python with
Qiskit, so the PUBs are few and small.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from qiskit.circuit import ClassicalRegister, Parameter, QuantumCircuit, QuantumRegister
from qiskit.quantum_info import SparsePauliOp, Statevector

from conftest import REPO, LiveCluster, start_cluster
from swiftpilot import Client
from swiftpilot.errors import TaskFailedError
from swiftpilot.primitives import EstimatorV2, SamplerV2
from test_primitives import chi_square_p, probabilities, random_circuit

SCRIPT = Path(__file__).resolve().parent / "scripts" / "qiskit_qpu.py"
P_FLOOR = 1e-6


def profile(name: str, argv: list[str]) -> str:
    quoted = ", ".join('"' + a.replace('"', '\\"') + '"' for a in argv)
    return f"""version: 1
name: {name}
description: Qiskit behind the command executor ({name})
qubits: 8
coupling_map: null
basis_gates: [u, p, rx, ry, rz, h, x, y, z, s, sdg, sx, cx, crx, cp, rzz]
enforce_basis_gates: false
max_concurrent_jobs: 2
noise:
  depolarizing_1q: 0.0
  depolarizing_2q: 0.0
  readout: 0.0
latency:
  queue_wait: 0.0
  per_circuit: 0.0
  per_shot: 0.0
executor:
  type: command
  argv: [{quoted}]
  timeout: 120
"""


@pytest.fixture(scope="module")
def command_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCluster]:
    home = tmp_path_factory.mktemp("cmd-home")
    qpu = home / "Profiles" / "qpu"
    qpu.mkdir(parents=True)
    shutil.copy(REPO / "Profiles" / "qpu" / "ideal-sim.yaml", qpu)
    for mode, name in (("counts", "qiskit-counts"), ("expectations", "qiskit-exp")):
        argv = [sys.executable, str(SCRIPT), mode, "{circuit}", "{shots}", "{seed}", "{observables}"]
        (qpu / f"{name}.yaml").write_text(profile(name, argv))
    broken = qpu / "broken.yaml"
    broken.write_text(profile("broken", [sys.executable, "-c", "import sys; print('device offline', file=sys.stderr); sys.exit(3)", "{circuit}"]))
    c = start_cluster(agents=[["--qpu-devices", "ideal-sim,qiskit-counts,qiskit-exp,broken"]], tag="cmddev",
                      env={"PILOT_HOME": str(home)}, manager_args=["--qpu-profiles", str(qpu)])
    yield c
    c.stop()


@pytest.fixture(scope="module")
def client(command_cluster: LiveCluster) -> Iterator[Client]:
    with Client(command_cluster.dir) as c:
        yield c


def two_register_circuit() -> QuantumCircuit:
    a = Parameter("a")
    q = QuantumRegister(3, "q")
    flag, pair = ClassicalRegister(1, "flag"), ClassicalRegister(2, "pair")
    qc = QuantumCircuit(q, flag, pair)
    qc.rx(a, 0)
    qc.cx(0, 1)
    qc.h(2)
    qc.measure(2, flag[0])
    qc.measure(0, pair[0])
    qc.measure(1, pair[1])
    return qc


def test_sampler_on_a_command_device_agrees_with_the_embedded_one(client: Client) -> None:
    rng = np.random.default_rng(41)
    shots = 2000
    circuits = [random_circuit(rng, int(rng.integers(2, 4)), 8, measure=True) for _ in range(3)]
    pubs = [(qc, rng.uniform(-np.pi, np.pi, size=(2, qc.num_parameters))) for qc in circuits]
    command = SamplerV2(client, qpu="qiskit-counts", seed=3).run(pubs, shots=shots).result()
    embedded = SamplerV2(client, qpu="ideal-sim", seed=4).run(pubs, shots=shots).result()
    for (qc, values), mine, ref in zip(pubs, command, embedded):
        assert mine.data.meas.shape == ref.data.meas.shape == (2,)
        assert mine.data.meas.num_shots == shots
        for k in range(2):
            probs = probabilities(qc, values[k])
            counts, theirs = mine.data.meas[k].get_counts(), ref.data.meas[k].get_counts()
            assert chi_square_p(counts, probs, shots) > P_FLOOR
            tvd = 0.5 * sum(abs(counts.get(x, 0) - theirs.get(x, 0)) for x in set(counts) | set(theirs)) / shots
            assert tvd < 0.1, f"binding {k}: TVD {tvd} between the command and the embedded device"
    # Registers keep their names and widths across the command's space-separated counts.
    qc = two_register_circuit()
    r = SamplerV2(client, qpu="qiskit-exp", seed=5).run([(qc, [[0.0], [np.pi]])], shots=400).result()[0]
    assert r.data.flag.num_bits == 1 and r.data.pair.num_bits == 2
    assert r.data.pair[0].get_counts() == {"00": 400}
    assert r.data.pair[1].get_counts() == {"11": 400}
    flag = r.data.flag[0].get_counts()
    assert set(flag) == {"0", "1"} and abs(flag["1"] - 200) < 5 * np.sqrt(100)


def estimator_pubs(rng: np.random.Generator, count: int) -> list:
    pubs = []
    for _ in range(count):
        n = int(rng.integers(2, 4))
        qc = random_circuit(rng, n, 8, measure=False)
        labels = ["".join(rng.choice(list("IXYZ"), n)) for _ in range(3)]
        ops = [SparsePauliOp(labels[:2], rng.normal(size=2)), SparsePauliOp([labels[2], "I" * n], rng.normal(size=2))]
        pubs.append((qc, ops, rng.uniform(-np.pi, np.pi, size=(2, 1, qc.num_parameters))))
    return pubs


def test_exact_estimates_from_a_command_match_the_embedded_ones(client: Client) -> None:
    pubs = estimator_pubs(np.random.default_rng(43), 3)
    command = EstimatorV2(client, qpu="qiskit-exp").run(pubs, precision=0).result()
    embedded = EstimatorV2(client, qpu="ideal-sim").run(pubs, precision=0).result()
    for (qc, ops, values), mine, ref in zip(pubs, command, embedded):
        assert mine.data.evs.shape == ref.data.evs.shape == (2, 2)
        assert np.all(mine.data.stds == 0)
        assert np.max(np.abs(mine.data.evs - ref.data.evs)) < 1e-9
        exact = Statevector(qc.assign_parameters(values[1, 0])).expectation_value(ops[1]).real
        assert abs(mine.data.evs[1, 1] - exact) < 1e-9


@pytest.mark.parametrize("device", ["qiskit-counts", "qiskit-exp"])
def test_sampled_estimates_from_a_command_agree_within_their_errors(client: Client, device: str) -> None:
    pubs = estimator_pubs(np.random.default_rng(47), 2)
    command = EstimatorV2(client, qpu=device, seed=8).run(pubs, precision=0.05).result()
    embedded = EstimatorV2(client, qpu="ideal-sim").run(pubs, precision=0).result()
    worst = 0.0
    for mine, ref in zip(command, embedded):
        assert mine.data.evs.shape == (2, 2)
        assert np.all(mine.data.stds >= 0) and np.all(mine.data.stds <= 0.05 + 1e-12)
        assert np.any(mine.data.stds > 0)
        diff = np.abs(mine.data.evs - ref.data.evs)
        # A term with value exactly ±1 (a qubit no gate touched) is measured without error.
        sure = mine.data.stds == 0
        assert np.all(diff[sure] < 1e-9)
        if np.any(~sure):
            worst = max(worst, float(np.max(diff[~sure] / mine.data.stds[~sure])))
    # 16 values: a 5σ miss by chance has odds of about 1e-5.
    assert worst < 5, f"{device}: largest deviation {worst:.2f} σ from the exact values"


def test_a_failing_command_fails_the_task_naming_the_pub(client: Client) -> None:
    qc = two_register_circuit()
    with pytest.raises(TaskFailedError) as e:
        SamplerV2(client, qpu="broken").run([(qc, [0.1]), (qc, [0.2])], shots=10).result()
    assert "pubs[0]: command" in str(e.value)
    assert "exited with status 3: device offline (PUB 0, binding 0)" in str(e.value)
