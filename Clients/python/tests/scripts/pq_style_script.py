# A script written the way Pilot-Quantum's README and examples (pq_pcs_ray.py, pq_pcs_dask.py) use
# PilotComputeService. The only change from a Pilot-Quantum script is the import line below
# (Pilot-Quantum: `from pilot.pilot_compute_service import ExecutionEngine, PilotComputeService`).
import os
from time import sleep

from swiftpilot.pilot_quantum.pilot_compute_service import ExecutionEngine, PilotComputeService

RESOURCE_URL_HPC = "ssh://localhost"
WORKING_DIRECTORY = os.path.join(os.environ["HOME"], "work")

pilot_compute_description_ray = {
    "resource": RESOURCE_URL_HPC,
    "working_directory": WORKING_DIRECTORY,
    "type": "ray",
    "number_of_nodes": 1,
    "cores_per_node": 2,
}


def start_pilot():
    pcs = PilotComputeService(execution_engine=ExecutionEngine.RAY, working_directory=WORKING_DIRECTORY)
    pcs.create_pilot(pilot_compute_description=pilot_compute_description_ray)
    return pcs


def square(num):
    return num ** 2


def circuit_energy(theta):
    import math
    return math.cos(theta) ** 2 - math.sin(theta) ** 2


if __name__ == "__main__":
    pcs = None
    try:
        pcs = start_pilot()

        tasks = []
        for i in range(10):
            k = pcs.submit_task(square, i)
            tasks.append(k)
        pcs.wait_tasks(tasks)
        print("squares", pcs.get_results(tasks))

        tasks = []
        for i in range(4):
            k = pcs.submit_task(circuit_energy, 0.1 * i, task_name=f"task_energy-{i}", resources={"num_cpus": 1})
            tasks.append(k)
        pcs.wait_tasks(tasks)
        print("energies", [round(t.result(), 6) for t in tasks])

        tasks = [pcs.submit_task(sleep, 0.1) for _ in range(2)]
        pcs.wait_tasks(tasks)
        print("slept", len(tasks))
    finally:
        if pcs:
            pcs.cancel()
