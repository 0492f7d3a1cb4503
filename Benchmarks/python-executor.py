#!/usr/bin/env python3
"""PilotExecutor against Dask and Parsl on this machine: round trip per call on an idle worker, and
throughput for N trivial calls.

    python Benchmarks/python-executor.py --systems swiftpilot,dask,parsl --n 10000 --pilot-bin .build/debug/pilot

Run it with an interpreter that has swiftpilot, dask[distributed] and parsl installed. SwiftPilot
gets a manager and one agent over this machine's real cores (started from --pilot-bin in a temporary
server directory); Dask a LocalCluster with one single-threaded worker process per core; Parsl a
HighThroughputExecutor with one worker per core on a LocalProvider. Prints one JSON line per
measurement (and appends them to --out). Not a test: figures go to Benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def noop(i):
    return i


def timed_round_trips(submit, reps):
    """Sequential calls, each waited for before the next: the latency one call pays on an idle worker."""
    times = []
    for i in range(reps):
        t = time.perf_counter()
        assert submit(i) == i
        times.append(time.perf_counter() - t)
    return times


def report(system, what, **fields):
    line = dict(system=system, measure=what, cores=os.cpu_count(), load1=round(os.getloadavg()[0], 2), **fields)
    print(json.dumps(line), flush=True)
    return line


def summarize(times):
    times = sorted(times)
    return dict(reps=len(times), median_ms=round(1000 * statistics.median(times), 2),
                p90_ms=round(1000 * times[int(0.9 * (len(times) - 1))], 2), min_ms=round(1000 * times[0], 2))


def swiftpilot(args):
    from swiftpilot import Client, PilotExecutor
    d = Path(tempfile.mkdtemp(prefix="pilot-bench-py-"))
    env = dict(os.environ, PILOT_SERVER_DIR=str(d))
    log = open(d / "cluster.log", "ab")
    manager = subprocess.Popen([args.pilot_bin, "manager", "start", "--server-dir", str(d), "--port", "0"], stdout=log, stderr=log, env=env)
    agent = None
    try:
        while True:  # readiness: access.json of this manager, then /v1/health
            try:
                a = json.loads((d / "access.json").read_text())
                if a.get("pid") == manager.pid:
                    urllib.request.urlopen(f"http://{a['host']}:{a['port']}/v1/health", timeout=2)
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        agent = subprocess.Popen([args.pilot_bin, "agent", "--server-dir", str(d)], stdout=log, stderr=log, env=env)
        client = Client(d)
        while client.summary()["agents"] < 1:
            time.sleep(0.05)
        out = []
        with PilotExecutor(client) as ex:
            ex.submit(noop, 0).result()  # warm-up: the session's first call opens the event stream
            out.append(report("swiftpilot", "round_trip", **summarize(timed_round_trips(lambda i: ex.submit(noop, i).result(), args.reps))))
            t = time.perf_counter()
            futures = [ex.submit(noop, i) for i in range(args.n)]
            submitted = time.perf_counter() - t
            assert [f.result() for f in futures] == list(range(args.n))
            wall = time.perf_counter() - t
            out.append(report("swiftpilot", "throughput", n=args.n, wall_s=round(wall, 2), submit_s=round(submitted, 2),
                              calls_per_s=round(args.n / wall, 1)))
        client.close()
        return out
    finally:
        if agent is not None:
            agent.kill()
            agent.wait()
        manager.terminate()
        manager.wait()
        shutil.rmtree(d, ignore_errors=True)


def dask(args):
    from dask.distributed import Client, LocalCluster
    cores = os.cpu_count() or 1
    with LocalCluster(n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as c:
        c.submit(noop, 0, pure=False).result()
        out = [report("dask", "round_trip", **summarize(timed_round_trips(lambda i: c.submit(noop, i, pure=False).result(), args.reps)))]
        t = time.perf_counter()
        futures = [c.submit(noop, i, pure=False) for i in range(args.n)]
        submitted = time.perf_counter() - t
        assert c.gather(futures) == list(range(args.n))
        wall = time.perf_counter() - t
        out.append(report("dask", "throughput", n=args.n, wall_s=round(wall, 2), submit_s=round(submitted, 2), calls_per_s=round(args.n / wall, 1)))
        return out


def parsl(args):
    import parsl as p
    from parsl.config import Config
    from parsl.executors import HighThroughputExecutor
    from parsl.providers import LocalProvider
    cores = os.cpu_count() or 1
    run_dir = tempfile.mkdtemp(prefix="parsl-bench-")
    cfg = Config(executors=[HighThroughputExecutor(label="htex", max_workers_per_node=cores, provider=LocalProvider(init_blocks=1, max_blocks=1))],
                 run_dir=run_dir)
    dfk = p.load(cfg)
    try:
        app = p.python_app(noop)
        app(0).result()
        out = [report("parsl", "round_trip", **summarize(timed_round_trips(lambda i: app(i).result(), args.reps)))]
        t = time.perf_counter()
        futures = [app(i) for i in range(args.n)]
        submitted = time.perf_counter() - t
        assert [f.result() for f in futures] == list(range(args.n))
        wall = time.perf_counter() - t
        out.append(report("parsl", "throughput", n=args.n, wall_s=round(wall, 2), submit_s=round(submitted, 2), calls_per_s=round(args.n / wall, 1)))
        return out
    finally:
        dfk.cleanup()
        p.clear()
        shutil.rmtree(run_dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--systems", default="swiftpilot,dask,parsl")
    ap.add_argument("--n", type=int, default=10000, help="calls in the throughput run")
    ap.add_argument("--reps", type=int, default=50, help="sequential calls in the round-trip run")
    ap.add_argument("--pilot-bin", default=str(Path(__file__).resolve().parents[1] / ".build" / "debug" / "pilot"))
    ap.add_argument("--out", help="append the JSON lines to this file")
    args = ap.parse_args()
    lines = []
    for name in args.systems.split(","):
        lines += {"swiftpilot": swiftpilot, "dask": dask, "parsl": parsl}[name](args)
    if args.out:
        with open(args.out, "a") as f:
            for line in lines:
                f.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    sys.exit(main())
