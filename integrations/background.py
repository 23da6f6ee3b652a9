"""Starting background work from a page, or after a commit, without importing the queue.

Pages never call Xero: they record what was asked (a row), commit, then `kick` the huey task
that does it. tasks.py registers its tasks here by name when it is imported; a page asking for
one that is not registered yet imports tasks.py by name first. The import is by name, like
`huey_consumer tasks.huey`, because tasks.py imports the app to run its tasks in: a plain import
from the pages would be the cycle app -> blueprints -> tasks -> app.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

TASKS_MODULE = "tasks"
_registered: dict[str, Callable[..., object]] = {}


def register(name: str, task: Callable[..., object]) -> None:
    """Called by tasks.py for each task a page (or the outbox, after a commit) may start."""
    _registered[name] = task


def kick(name: str, *args: object) -> None:
    """Enqueue the task `name` (after the request's commit: the task reads what it wrote)."""
    if name not in _registered:
        importlib.import_module(TASKS_MODULE)
    _registered[name](*args)
