"""The sandbox clock: real time, shifted by an offset tests can advance, scaled by a speed factor.

Every expiry, rate-limit window and timestamp in the sandbox reads this clock, never time.time(),
so a test can make a token expire or a day's quota reset without waiting.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Sandbox time = start + (real elapsed x speed) + advanced seconds."""

    def __init__(self, speed: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._real_start = time.monotonic()
        self._start = time.time()
        self._speed = speed
        self._advanced = 0.0

    @property
    def speed(self) -> float:
        """How many sandbox seconds pass per real second."""
        return self._speed

    def now(self) -> float:
        """Sandbox time as a UNIX timestamp (seconds, float)."""
        with self._lock:
            elapsed = (time.monotonic() - self._real_start) * self._speed
            return self._start + elapsed + self._advanced

    def now_dt(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back: expiries must not un-expire)."""
        with self._lock:
            self._advanced += max(0.0, float(seconds))
        return self.now()

    def set_speed(self, speed: float) -> None:
        """Change the speed without jumping: re-anchor at the current sandbox time."""
        current = self.now()
        with self._lock:
            self._real_start = time.monotonic()
            self._start = current - self._advanced
            self._speed = float(speed)

    def real_seconds(self, sandbox_seconds: float) -> float:
        """Convert a sandbox duration into the real time a client must wait."""
        return sandbox_seconds / self._speed if self._speed > 0 else sandbox_seconds
