"""SamplerV2 and EstimatorV2 against Qiskit's reference primitives, on a live manager and agent.

The agent advertises every QPU-proxy profile; the agreement tests pin the noise-free ``ideal-sim``
device by name, and one test picks a device by width (``any:qubits>=28`` leaves only ideal-sim).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit.circuit import ClassicalRegister, Parameter, QuantumCircuit, QuantumRegister
from qiskit.primitives import (BitArray, PrimitiveResult, PubResult, SamplerPubResult, StatevectorEstimator,
                               StatevectorSampler)
from qiskit.quantum_info import SparsePauliOp, Statevector
from scipy import stats

from swiftpilot.errors import PilotError, TaskFailedError
from swiftpilot.primitives import EstimatorV2, SamplerV2, qpu_selector

CIRCUITS = 24
# A false alarm over all chi-square checks stays below ~1e-4.
P_FLOOR = 1e-6


def random_circuit(rng: np.random.Generator, qubits: int, depth: int, measure: bool) -> QuantumCircuit:
    """A random circuit over Qiskit's standard gates with 2-4 free parameters, some used in expressions."""
    params = [Parameter(f"θ{k}") for k in range(int(rng.integers(2, 5)))]
    qc = QuantumCircuit(qubits)
    for p in params:
        qc.ry(p, int(rng.integers(qubits)))
    for _ in range(depth):
        kind = int(rng.integers(9))
        a, b = (int(x) for x in rng.choice(qubits, 2, replace=False))
        p = params[int(rng.integers(len(params)))]
        if kind == 0:
            qc.h(a)
        elif kind == 1:
            qc.cx(a, b)
        elif kind == 2:
            qc.rx(2 * p + 0.3, a)
        elif kind == 3:
            qc.rz(p, a)
        elif kind == 4:
            qc.crx(p, a, b)
        elif kind == 5:
            qc.u(p, 0.5, -p, a)
        elif kind == 6:
            qc.rzz(p - 0.2, a, b)
        elif kind == 7:
            qc.sx(a)
        else:
            qc.cp(p, a, b)
    if measure:
        qc.measure_all()
    return qc


def probabilities(qc: QuantumCircuit, values: np.ndarray) -> np.ndarray:
    bound = qc.remove_final_measurements(inplace=False).assign_parameters(values)
    return Statevector(bound).probabilities()


def chi_square_p(counts: dict[str, int], probs: np.ndarray, shots: int) -> float:
    """Pearson goodness of fit, outcomes with expected count < 5 pooled."""
    observed = np.zeros(len(probs))
    for key, n in counts.items():
        observed[int(key, 2)] += n
    expected = probs * shots
    big = expected >= 5
    obs = list(observed[big]) + ([observed[~big].sum()] if expected[~big].sum() >= 5 else [])
    exp = list(expected[big]) + ([expected[~big].sum()] if expected[~big].sum() >= 5 else [])
    if len(obs) < 2:
        return 1.0
    exp = np.array(exp) * (sum(obs) / sum(exp))
    return float(stats.chisquare(obs, exp).pvalue)


@pytest.fixture(scope="module")
def sampler(client):
    return SamplerV2(client, qpu="ideal-sim", seed=1234)


@pytest.fixture(scope="module")
def estimator(client):
    return EstimatorV2(client, qpu="ideal-sim", seed=99)


def test_sampler_agrees_with_statevector_sampler(sampler):
    rng = np.random.default_rng(17)
    shots = 4000
    circuits = [random_circuit(rng, int(rng.integers(2, 5)), 12, measure=True) for _ in range(CIRCUITS)]
    values = [rng.uniform(-np.pi, np.pi, size=(3, c.num_parameters)) for c in circuits]
    pubs = list(zip(circuits, values))
    ours = sampler.run(pubs, shots=shots).result()
    reference = StatevectorSampler(seed=5).run(pubs, shots=shots).result()
    assert isinstance(ours, PrimitiveResult) and len(ours) == CIRCUITS
    worst = 1.0
    for qc, v, r, ref in zip(circuits, values, ours, reference):
        assert isinstance(r, SamplerPubResult)
        bits = r.data.meas
        assert isinstance(bits, BitArray)
        assert bits.shape == ref.data.meas.shape == (3,)
        assert bits.num_shots == ref.data.meas.num_shots == shots
        assert bits.num_bits == ref.data.meas.num_bits == qc.num_qubits
        for k in range(3):
            probs = probabilities(qc, v[k])
            p = chi_square_p(bits[k].get_counts(), probs, shots)
            worst = min(worst, p)
            assert p > P_FLOOR, f"circuit {qc.name} binding {k}: chi-square p = {p}"
            # Total variation distance to Qiskit's own sample: both are within a few σ of |ψ|².
            mine, theirs = bits[k].get_counts(), ref.data.meas[k].get_counts()
            tvd = 0.5 * sum(abs(mine.get(x, 0) - theirs.get(x, 0)) for x in set(mine) | set(theirs)) / shots
            assert tvd < 0.1, f"binding {k}: TVD {tvd} to StatevectorSampler"
    print(f"sampler: {CIRCUITS} circuits × 3 bindings, smallest chi-square p = {worst:.3g}")


def test_estimator_exact_values_match_statevector_estimator(estimator):
    rng = np.random.default_rng(23)
    pubs = []
    for _ in range(CIRCUITS):
        n = int(rng.integers(2, 5))
        qc = random_circuit(rng, n, 12, measure=False)
        labels = ["".join(rng.choice(list("IXYZ"), n)) for _ in range(4)]
        ops = [SparsePauliOp(labels[:2], rng.normal(size=2)), SparsePauliOp(labels[2:] + ["I" * n], rng.normal(size=3))]
        pubs.append((qc, ops, rng.uniform(-np.pi, np.pi, size=(3, 1, qc.num_parameters))))
    ours = estimator.run(pubs, precision=0).result()
    reference = StatevectorEstimator().run(pubs, precision=0).result()
    worst = 0.0
    for r, ref in zip(ours, reference):
        assert isinstance(r, PubResult)
        assert r.data.evs.shape == ref.data.evs.shape == (3, 2)
        assert np.all(r.data.stds == 0)
        worst = max(worst, float(np.max(np.abs(r.data.evs - ref.data.evs))))
    assert worst < 1e-9, f"largest difference {worst}"
    print(f"estimator exact: {CIRCUITS} circuits × 6 values, largest difference {worst:.2e}")


def test_estimator_precision_is_met_statistically(estimator):
    rng = np.random.default_rng(31)
    pubs = []
    for _ in range(CIRCUITS):
        n = int(rng.integers(2, 5))
        qc = random_circuit(rng, n, 10, measure=False)
        op = SparsePauliOp(["".join(rng.choice(list("XYZ"), n)), "Z" + "I" * (n - 1)], rng.normal(size=2))
        pubs.append((qc, op, rng.uniform(-np.pi, np.pi, size=(2, qc.num_parameters))))
    precision = 0.02
    ours = estimator.run(pubs, precision=precision).result()
    reference = StatevectorEstimator().run(pubs, precision=0).result()
    z = []
    for r, ref in zip(ours, reference):
        assert r.data.evs.shape == ref.data.evs.shape == (2,)
        assert np.all(r.data.stds > 0) and np.all(r.data.stds <= precision + 1e-12)
        assert r.metadata["target_precision"] == precision
        z.extend(((r.data.evs - ref.data.evs) / r.data.stds).tolist())
    z = np.array(z)
    # 48 standardised errors: none beyond 5σ, and their spread is that of a standard normal.
    assert np.max(np.abs(z)) < 5, z
    assert 0.5 < np.std(z) < 1.6, np.std(z)


@pytest.mark.parametrize("values_shape,observables_shape", [
    ((), ()), ((4,), ()), ((), (3,)), ((3, 1), (2,)), ((2, 3), (3,)), ((2, 1, 2), (1, 3, 1)), ((1,), (5,)),
])
def test_estimator_broadcasting_shapes_match_qiskit(estimator, values_shape, observables_shape):
    rng = np.random.default_rng(3)
    qc = random_circuit(rng, 3, 6, measure=False)
    values = rng.uniform(-1, 1, size=values_shape + (qc.num_parameters,))
    labels = ["ZZI", "XIX", "IYZ", "ZII", "IIX"]
    obs = np.empty(observables_shape, dtype=object)
    for k, idx in enumerate(np.ndindex(observables_shape)):
        obs[idx] = SparsePauliOp([labels[k % 5], labels[(k + 1) % 5]], [0.5, -1.5])
    observables = obs.tolist() if observables_shape else obs[()]
    ours = estimator.run([(qc, observables, values)], precision=0).result()[0]
    ref = StatevectorEstimator().run([(qc, observables, values)], precision=0).result()[0]
    assert ours.data.shape == ref.data.shape
    assert ours.data.evs.shape == ref.data.evs.shape
    assert np.allclose(ours.data.evs, ref.data.evs, atol=1e-9)


@pytest.mark.parametrize("values_shape", [(), (1,), (4,), (2, 3), (2, 1, 2)])
def test_sampler_broadcasting_shapes_match_qiskit(sampler, values_shape):
    rng = np.random.default_rng(4)
    qc = random_circuit(rng, 3, 6, measure=True)
    values = rng.uniform(-1, 1, size=values_shape + (qc.num_parameters,))
    ours = sampler.run([(qc, values)], shots=50).result()[0]
    ref = StatevectorSampler().run([(qc, values)], shots=50).result()[0]
    assert ours.data.shape == ref.data.shape
    assert ours.data.meas.shape == ref.data.meas.shape
    assert ours.data.meas.num_shots == 50


def test_registers_are_separate_bit_arrays_aligned_by_shot(sampler):
    theta = Parameter("t")
    q = QuantumRegister(3, "q")
    flag, pair = ClassicalRegister(1, "flag"), ClassicalRegister(2, "pair")
    qc = QuantumCircuit(q, flag, pair)
    qc.rx(theta, 0)
    qc.cx(0, 1)
    qc.cx(0, 2)
    qc.measure(0, flag[0])
    qc.measure([1, 2], pair)
    r = sampler.run([(qc, [[1.2], [np.pi]])], shots=500).result()[0]
    assert set(r.data.keys()) == {"flag", "pair"}
    assert r.data.flag.num_bits == 1 and r.data.pair.num_bits == 2
    f = r.data.flag.array[..., 0] & 1
    p = r.data.pair.array[..., 0]
    # GHZ-like: in every shot both pair bits equal the flag bit.
    assert np.all((p == 0) | (p == 3))
    assert np.all((p == 3) == (f == 1))
    assert r.data.flag[1].get_counts() == {"1": 500}
    assert 0 < r.data.flag[0].get_counts().get("1", 0) < 500


def test_device_chosen_by_width(client):
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    job = SamplerV2(client, qpu="any:qubits>=28").run([qc], shots=100)
    result = job.result()
    assert result.metadata["device"] == "ideal-sim"
    assert job.done() and job.job_id() == str(result.metadata["task_id"])
    assert set(result[0].data.meas.get_counts()) <= {"00", "11"}
    assert qpu_selector(None, 5) == "any:qubits>=5:1"
    assert qpu_selector("ideal-sim", 2) == "ideal-sim:1"


def test_auto_chooses_the_device_at_bind_time_and_journals_why(client):
    qc = QuantumCircuit(3)
    qc.h(0)
    qc.cx(0, 1)
    qc.cx(1, 2)
    qc.measure_all()
    job = SamplerV2(client, qpu="auto:fidelity").run([qc], shots=200)
    result = job.result()
    task = int(result.metadata["task_id"])
    chosen = list(client.events(task=task, kind="device_chosen"))
    assert len(chosen) == 1
    detail = json.loads(chosen[0]["detail"])
    assert detail["policy"] == "fidelity"
    assert chosen[0]["state"] == detail["device"] == result.metadata["device"]
    best = max(o["fidelity"] for o in detail["options"])
    mine = next(o for o in detail["options"] if o["device"] == detail["device"])
    assert mine["fidelity"] == best and mine["wait"] == 0 and mine["runtime"] > 0
    assert len(detail["options"]) >= 2
    assert sum(result[0].data.meas.get_counts().values()) == 200


def test_malformed_pub_is_refused_with_its_location(client):
    bad = 'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nh q[0];\nfoo q[1];\n'
    job = {"primitive": "sampler", "pubs": [{"circuit": "OPENQASM 3.0;\nqubit[1] q;\n"}, {"circuit": bad}]}
    with pytest.raises(PilotError) as e:
        client.submit_tasks([{"kind": "quantum", "qpu": "ideal-sim:1", "payload": json.dumps(job)}])
    assert e.value.status == 400
    assert e.value.field == "tasks[0].payload.pubs[1].circuit"
    assert "pubs[1].circuit:5:1: unknown gate 'foo'" in e.value.message


def test_binding_error_fails_the_task_naming_the_binding(client):
    text = 'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float[64] a;\nqubit[1] q;\nrx(1 / a) q[0];\n'
    job = {"primitive": "estimator", "precision": 0,
           "pubs": [{"circuit": text, "parameter_values": [[1.0], [0.0]], "observables": "Z"}]}
    f = client.submit_tasks([{"kind": "quantum", "qpu": "ideal-sim:1", "payload": json.dumps(job)}])[0]
    with pytest.raises(TaskFailedError) as e:
        f.result(120)
    assert "pubs[0].circuit:5:6: division by zero (with the values of pubs[0].parameter_values[1])" in str(e.value.reason)


def test_complex_coefficients_are_refused_before_submission(estimator):
    # Qiskit's ObservablesArray refuses them while coercing the PUB, before anything is sent.
    qc = QuantumCircuit(1)
    with pytest.raises(ValueError, match="imaginary"):
        estimator.run([(qc, SparsePauliOp(["Z"], [1j]))])
