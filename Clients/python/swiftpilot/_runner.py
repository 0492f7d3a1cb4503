"""Runs one pickled call on an agent: ``python -m swiftpilot._runner CALL.in.pkl``.

Writes ``CALL.out.pkl`` (``(True, value)`` or ``(False, (exception, traceback text))``), renamed into
place whole, and a small JSON note in ``$PILOT_RESULT_FILE``; exits 1 when the call raised, so the
task is recorded as failed. Imports are kept to what a call needs: this start-up is paid per call.
"""
import json
import os
import pickle
import sys


def _dump(obj: object) -> bytes:
    # Plain pickle first (fast, and enough for most values); cloudpickle for lambdas, local classes, ...
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        import cloudpickle
        return bytes(cloudpickle.dumps(obj))


def _failure(e: BaseException) -> bytes:
    import traceback
    tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    sys.stderr.write(tb)
    try:
        return _dump((False, (e, tb)))
    except Exception:  # an exception that does not pickle travels as its text
        return _dump((False, (RuntimeError(f"{type(e).__name__}: {e}"), tb)))


def main(argv: "list[str]") -> int:
    if len(argv) != 2 or not argv[1].endswith(".in.pkl"):
        sys.stderr.write("usage: python -m swiftpilot._runner CALL.in.pkl\n")
        return 2
    src = argv[1]
    out = src[: -len(".in.pkl")] + ".out.pkl"
    error = None
    try:
        with open(src, "rb") as f:
            fn, args, kwargs = pickle.load(f)
        value = fn(*args, **kwargs)
    except BaseException as e:  # noqa: BLE001 - everything the call raises goes back to the caller
        error = f"{type(e).__name__}: {e}"
        data = _failure(e)
    else:
        try:
            data = _dump((True, value))
        except Exception as e:  # the value itself cannot travel back
            error = f"the result cannot be pickled: {type(e).__name__}: {e}"
            data = _failure(TypeError(error))
    tmp = out + ".tmp" + str(os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    note = os.environ.get("PILOT_RESULT_FILE")
    if note:
        with open(note, "w") as f:
            json.dump({"swiftpilot": {"ok": error is None, "output": out, "error": error}}, f)
    return 0 if error is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
