"""Follows the manager's event journal on a thread and resolves futures as their tasks end."""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, Optional

from .errors import PilotError
from .transport import Transport, shutdown_connection

TERMINAL_KINDS = {"task_finished": "done", "task_failed": "failed", "task_canceled": "canceled"}


class EventWatcher:
    """One Server-Sent Events stream of the terminal task records, shared by every future of a client.

    It starts from the journal's last sequence number read before the first submission, so no end of a
    task submitted afterwards can be missed; ends seen before anyone waits for them are kept.
    """

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._lock = threading.Lock()
        self._ended: dict[int, str] = {}
        self._waiting: dict[int, Callable[[int, str], object]] = {}
        self._since = int(transport.call("GET", "/v1/events", {"limit": 1, "kind": "task_finished"})["last_seq"])
        self._stop = False
        self._conn: Any = None
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, name="swiftpilot-events", daemon=True)
        self._thread.start()

    def watch(self, task_id: int, callback: Callable[[int, str], object]) -> None:
        """Calls ``callback(task_id, state)`` once the task has ended (at once if it already has)."""
        with self._lock:
            state = self._ended.pop(task_id, None)
            if state is None:
                self._waiting[task_id] = callback
        if state is not None:
            callback(task_id, state)

    def close(self) -> None:
        self._stop = True
        if self._conn is not None:
            shutdown_connection(self._conn)

    def _opened(self, conn: Any) -> None:
        self._conn = conn
        if self._stop:
            shutdown_connection(conn)

    def _run(self) -> None:
        failures = 0
        while not self._stop:
            try:
                self._follow()
                failures = 0
            except PilotError as e:
                if self._stop:
                    return
                failures += 1
                if failures >= 50:
                    self.error = e
                    return
                threading.Event().wait(min(0.05 * failures, 1.0))

    def _follow(self) -> None:
        query = {"follow": True, "since": self._since, "kind": ",".join(TERMINAL_KINDS), "buffer": 1_000_000}
        event = ""
        for line in self.transport.stream_lines("/v1/events", query, on_open=self._opened):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = json.loads(line[5:])
                if event == "cut_off":
                    self._since = int(data["resume_after"])
                    return
                self._record(data)
            elif not line:
                event = ""

    def _record(self, r: dict[str, Any]) -> None:
        self._since = max(self._since, int(r["seq"]))
        state = TERMINAL_KINDS.get(r.get("kind", ""))
        if state is None or r.get("task") is None:
            return
        first = int(r["task"])
        last = int(r.get("task_end") or first)
        ready = []
        with self._lock:
            for t in range(first, last + 1):
                cb = self._waiting.pop(t, None)
                if cb is None:
                    self._ended[t] = state
                else:
                    ready.append((cb, t))
        for cb, t in ready:
            cb(t, state)
