"""Fault injection, off by default: 500/503 answers, slow answers (timeouts), a token revoked
mid-run, a connection removed mid-run.

Two ways to ask for faults, both seeded and repeatable:
- rates (FAULT_RATE_500/503/SLOW) drawn from a random.Random(FAULT_SEED);
- a queue of exact faults for the next API calls, e.g. ["503", "slow", "revoke", "disconnect"],
  which tests prefer because it says precisely which call fails.
FAULT_REVOKE_AFTER / FAULT_DISCONNECT_AFTER = N trigger once, on the N-th API call.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from typing import Any

KINDS = {"500", "503", "slow", "revoke", "disconnect"}
SETTINGS = ("FAULT_SEED", "FAULT_RATE_500", "FAULT_RATE_503", "FAULT_RATE_SLOW",
            "FAULT_SLOW_SECONDS", "FAULT_REVOKE_AFTER", "FAULT_DISCONNECT_AFTER")


class Faults:
    """Decides, per API call, which fault (if any) to inject."""

    def __init__(self, config: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        self.settings = {key: config[key] for key in SETTINGS}
        self._queue: deque[str] = deque()
        self._calls = 0
        self._random = random.Random(self.settings["FAULT_SEED"])

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change settings and/or queue faults; re-seeds so runs are repeatable."""
        with self._lock:
            for key, value in changes.items():
                name = key.upper() if key.upper().startswith("FAULT_") else f"FAULT_{key.upper()}"
                if name in self.settings:
                    self.settings[name] = type(self.settings[name])(value)
            queued = [str(kind) for kind in changes.get("queue", [])]
            unknown = [kind for kind in queued if kind not in KINDS]
            if unknown:
                raise ValueError(f"unknown fault {unknown[0]!r}; choose from {sorted(KINDS)}")
            # "clear" empties what was queued before this call, so {"clear": true, "queue": [...]}
            # starts afresh with exactly the faults it names.
            if changes.get("clear"):
                self._queue.clear()
            self._queue.extend(queued)
            self._random = random.Random(self.settings["FAULT_SEED"])
            self._calls = 0
            return self.describe()

    def describe(self) -> dict[str, Any]:
        """Current settings and queued faults."""
        return {**self.settings, "queue": list(self._queue), "calls": self._calls}

    def next_fault(self) -> str | None:
        """The fault for this API call, or None."""
        with self._lock:
            self._calls += 1
            if self._queue:
                return self._queue.popleft()
            for key, kind in (("FAULT_REVOKE_AFTER", "revoke"),
                              ("FAULT_DISCONNECT_AFTER", "disconnect")):
                if self.settings[key] and self._calls == self.settings[key]:
                    return kind
            draw = self._random.random()
            for key, kind in (("FAULT_RATE_500", "500"), ("FAULT_RATE_503", "503"),
                              ("FAULT_RATE_SLOW", "slow")):
                rate = float(self.settings[key])
                if draw < rate:
                    return kind
                draw -= rate
            return None
