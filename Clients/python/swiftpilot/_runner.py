"""Runs one pickled call on an agent: ``python -m swiftpilot._runner CALL.in.pkl``.

Writes ``CALL.out.pkl`` (``(True, value)`` or ``(False, (exception, traceback text))``), renamed into
place whole, and a small JSON note in ``$PILOT_RESULT_FILE``; exits 1 when the call raised, so the
task is recorded as failed with the exception in its reason.
"""
from __future__ import annotations

import json
import os
import pickle
import sys
import traceback
from typing import Any


def _dump(obj: Any) -> bytes:
    import cloudpickle
    return bytes(cloudpickle.dumps(obj))


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].endswith(".in.pkl"):
        print("usage: python -m swiftpilot._runner CALL.in.pkl", file=sys.stderr)
        return 2
    src = argv[1]
    out = src[: -len(".in.pkl")] + ".out.pkl"
    error = None
    try:
        with open(src, "rb") as f:
            fn, args, kwargs = pickle.load(f)
        value = fn(*args, **kwargs)
        try:
            data = _dump((True, value))
        except Exception as e:  # the value itself cannot travel back
            error = f"the result cannot be pickled: {type(e).__name__}: {e}"
            data = _dump((False, (TypeError(error), traceback.format_exc())))
    except BaseException as e:  # noqa: BLE001 - everything the call raises goes back to the caller
        tb = traceback.format_exc()
        error = f"{type(e).__name__}: {e}"
        try:
            data = _dump((False, (e, tb)))
        except Exception:  # an exception that does not pickle travels as its text
            data = _dump((False, (RuntimeError(error), tb)))
    tmp = out + f".tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    note = os.environ.get("PILOT_RESULT_FILE")
    if note:
        with open(note, "w") as f:
            json.dump({"swiftpilot": {"ok": error is None, "output": out, "error": error}}, f)
    if error is not None:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
