"""Tasks files (``version``, ``defaults``, ``tasks``) read into the API's task objects."""
from __future__ import annotations

from typing import Any

from .errors import PilotError


def is_workflow(text: str) -> bool:
    """A document with a top-level ``stages:`` key is a workflow, as ``pilot submit FILE`` decides."""
    return any(line.startswith("stages:") for line in text.splitlines())


def parse_tasks_file(text: str, name: str) -> list[dict[str, Any]]:
    """The file's tasks with its defaults applied. Field values are left for the manager to check
    against the task-field table, so the messages are the same as for every other format."""
    import yaml
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
        raise PilotError("bad_input", f"{where}: not valid YAML: {getattr(e, 'problem', e)}", field="file", cause=e) from e
    if not isinstance(doc, dict):
        raise PilotError("bad_input", f"{name}: a tasks file is a mapping with 'tasks:'", field="file")
    unknown = set(doc) - {"version", "defaults", "tasks"}
    if unknown:
        raise PilotError("bad_input", f"{name}: unknown key '{sorted(unknown)[0]}' (known: version, defaults, tasks)", field="file")
    defaults = doc.get("defaults") or {}
    tasks = doc.get("tasks")
    if not isinstance(defaults, dict):
        raise PilotError("bad_input", f"{name}: defaults: must be a mapping", field="defaults")
    if not isinstance(tasks, list) or not tasks:
        raise PilotError("bad_input", f"{name}: tasks: must be a non-empty list", field="tasks")
    out = []
    for i, t in enumerate(tasks):
        if not isinstance(t, dict):
            raise PilotError("bad_input", f"{name}: tasks[{i}]: must be a mapping", field=f"tasks[{i}]")
        merged = dict(defaults)
        merged.update(t)
        out.append(merged)
    return out
