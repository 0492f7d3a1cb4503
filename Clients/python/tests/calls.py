"""Functions the tests run on agents. A module of their own, light to import: the runner imports it
by reference (through the PYTHONPATH the executor passes on) for every call."""
from __future__ import annotations

import os
import time


def square(x: int) -> int:
    return x * x


def add(a: int, b: int = 0, *, c: int = 0) -> int:
    return a + b + c


def boom(n: int) -> None:
    raise ValueError(f"bad value {n}")


def cores_seen() -> int:
    return len(os.sched_getaffinity(0))


def die(code: int) -> None:
    os._exit(code)


def nap(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def environment(name: str) -> str | None:
    return os.environ.get(name)
