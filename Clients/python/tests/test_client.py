"""The Client against a live manager and agent."""
from __future__ import annotations

import concurrent.futures
import json

import pytest

from swiftpilot import Client, PilotError, TaskFailedError


def test_submit_and_result(client: Client) -> None:
    f = client.submit(["sh", "-c", 'echo \'{"answer": 42}\' > "$PILOT_RESULT_FILE"; echo hello'], name="answer")
    assert f.result(timeout=120) == {"answer": 42}
    assert f.info()["state"] == "done"
    assert f.logs() == "hello\n"


def test_failed_task_raises_with_reason(client: Client) -> None:
    f = client.submit("exit 3")
    with pytest.raises(TaskFailedError) as e:
        f.result(timeout=120)
    assert e.value.state == "failed"
    assert e.value.info["exit_code"] == 3
