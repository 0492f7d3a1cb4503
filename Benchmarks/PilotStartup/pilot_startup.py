#!/usr/bin/env python3
"""Pilot start-up latency on the local Slurm cluster, against Slurm's own submit -> RUNNING.

pilot:  POST /v1/pilots  ->  every agent of the pilot registered (GET /v1/pilots shows them)
slurm:  sbatch (same shape: -N 2, 4 CPUs and 2 GPUs per node)  ->  squeue says RUNNING

Usage: eval "$(JobScripts/local-slurm.sh env)"; Benchmarks/PilotStartup/pilot_startup.py [RUNS]
Prints each sample and the medians. Runs alternate so both see the same cluster load.
"""
import json, os, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PILOT = os.path.join(ROOT, ".build/debug/pilot")
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
POLL = 0.01

def api(access, method, path, body=None):
    req = urllib.request.Request(f"http://{access['host']}:{access['port']}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + access["token"], "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def idle():
    # Wait until no job holds a node, so each sample starts from the same state.
    while subprocess.run(["squeue", "-h", "-t", "R,CG,PD"], capture_output=True, text=True).stdout.strip():
        time.sleep(0.1)

def pilot_sample(access):
    t0 = time.time()
    p = api(access, "POST", "/v1/pilots", {"profile": "local", "overrides": {"nodes": 2, "walltime": "3"}})["pilot"]
    while True:
        info = api(access, "GET", f"/v1/pilots/{p['id']}")
        if info["agents"] == 2:
            t1 = time.time()
            break
        time.sleep(POLL)
    api(access, "POST", f"/v1/pilots/{p['id']}/cancel")
    return t1 - t0

def slurm_sample(logdir):
    t0 = time.time()
    out = subprocess.run(["sbatch", "--parsable", "-N", "2", "--ntasks-per-node=1", "--cpus-per-task=4", "--gpus-per-node=2",
                          "--mem=2G", "-t", "3", "-o", f"{logdir}/slurm-%j.out", "--wrap", "srun sleep 60"],
                         capture_output=True, text=True, check=True).stdout.strip()
    while subprocess.run(["squeue", "-h", "-j", out, "-o", "%T"], capture_output=True, text=True).stdout.strip() != "RUNNING":
        time.sleep(POLL)
    t1 = time.time()
    subprocess.run(["scancel", out])
    return t1 - t0

def main():
    d = tempfile.mkdtemp(prefix="pilot-startup-")
    mgr = subprocess.Popen([PILOT, "manager", "start", "--server-dir", d, "--port", "0"],
                           stdout=open(d + "/manager.log", "w"), stderr=subprocess.STDOUT)
    try:
        while not os.path.exists(d + "/access.json"):
            time.sleep(0.05)
        access = json.load(open(d + "/access.json"))
        pilots, slurm = [], []
        for i in range(RUNS):
            idle(); pilots.append(pilot_sample(access))
            idle(); slurm.append(slurm_sample(d))
            print(f"run {i + 1}: pilot submit->agents registered {pilots[-1] * 1000:.0f} ms, "
                  f"sbatch->RUNNING {slurm[-1] * 1000:.0f} ms", flush=True)
        idle()
        print(f"median of {RUNS}: pilot {statistics.median(pilots) * 1000:.0f} ms "
              f"(min {min(pilots) * 1000:.0f}, max {max(pilots) * 1000:.0f}); "
              f"slurm {statistics.median(slurm) * 1000:.0f} ms (min {min(slurm) * 1000:.0f}, max {max(slurm) * 1000:.0f})")
    finally:
        mgr.terminate()
        mgr.wait()

if __name__ == "__main__":
    main()
