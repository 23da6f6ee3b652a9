"""Xero's rate limits per tenant and app: concurrent, per minute, per day, and app-wide per minute.

Windows are fixed and start at a tenant's first call, as Xero describes ("a fixed window which will
reset at different times for each tenant", FACTS §4.1). They run on the sandbox clock, so a clock
sped up 60x compresses a Xero day into 24 minutes with the same shape. Retry-After is given in
*real* seconds (sandbox seconds divided by the speed), because that is how long a client must sleep.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.clock import Clock

MINUTE = 60.0
DAY = 86400.0


@dataclass
class Window:
    """A fixed counting window."""

    length: float
    start: float = 0.0
    count: int = 0

    def roll(self, now: float) -> None:
        """Start a new window when the current one has ended."""
        if now >= self.start + self.length:
            self.start, self.count = now, 0

    def retry_after(self, now: float) -> float:
        """Sandbox seconds until this window resets."""
        return max(0.0, self.start + self.length - now)


@dataclass
class TenantCounters:
    """Counters of one tenant+app pair."""

    minute: Window = field(default_factory=lambda: Window(MINUTE))
    day: Window = field(default_factory=lambda: Window(DAY))
    in_flight: int = 0


@dataclass
class Verdict:
    """The limiter's answer: allowed or not, with the headers Xero sends either way."""

    allowed: bool
    headers: dict[str, str]


class Limiter:
    """Counts calls; refuses a call that would break a limit (refused calls are not counted)."""

    def __init__(self, config: dict[str, Any], clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._tenants: dict[tuple[str, str], TenantCounters] = {}
        self._apps: dict[str, Window] = {}

    def reset(self) -> None:
        """Forget all counters (tests, /_sandbox/reset)."""
        with self._lock:
            self._tenants.clear()
            self._apps.clear()

    def enter(self, tenant: str, client_id: str) -> Verdict:
        """Account for one call starting; call leave() when it ends if allowed."""
        now = self._clock.now()
        with self._lock:
            counters = self._tenants.setdefault((tenant, client_id), TenantCounters())
            app_window = self._apps.setdefault(client_id, Window(MINUTE))
            for window in (counters.minute, counters.day, app_window):
                window.roll(now)
            problem = self._problem(counters, app_window)
            if problem is None:
                counters.minute.count += 1
                counters.day.count += 1
                app_window.count += 1
                counters.in_flight += 1
            headers = self._headers(counters, app_window)
            if problem is not None:
                headers["X-Rate-Limit-Problem"] = problem
                wait = self._wait(problem, counters, app_window, now)
                headers["Retry-After"] = str(max(1, math.ceil(self._clock.real_seconds(wait))))
            return Verdict(problem is None, headers)

    def peek(self, tenant: str | None, client_id: str | None) -> dict[str, str]:
        """The X-*-Remaining headers as they stand, without counting a call (401/403 answers
        carry them too, FACTS §2.3); an unknown tenant or app shows untouched limits."""
        now = self._clock.now()
        with self._lock:
            counters = self._tenants.get((tenant or "", client_id or ""), TenantCounters())
            app_window = self._apps.get(client_id or "", Window(MINUTE))
            # Copies, rolled: a window that has ended shows its limit in full.
            minute, day, app = (Window(w.length, w.start, w.count)
                                for w in (counters.minute, counters.day, app_window))
        for window in (minute, day, app):
            window.roll(now)
        return self._headers(TenantCounters(minute=minute, day=day), app)

    def leave(self, tenant: str, client_id: str) -> None:
        """A call has finished (frees a concurrency slot)."""
        with self._lock:
            counters = self._tenants.get((tenant, client_id))
            if counters is not None and counters.in_flight > 0:
                counters.in_flight -= 1

    def _problem(self, counters: TenantCounters, app_window: Window) -> str | None:
        cfg = self._config
        if counters.in_flight >= cfg["LIMIT_CONCURRENT"]:
            return "concurrent"  # header value UNCONFIRMED (FACTS §13.2)
        if counters.minute.count >= cfg["LIMIT_MINUTE"]:
            return "minute"
        if counters.day.count >= cfg["LIMIT_DAY"]:
            return "day"
        if app_window.count >= cfg["LIMIT_APP_MINUTE"]:
            return "appminute"  # UNCONFIRMED value
        return None

    @staticmethod
    def _wait(problem: str, counters: TenantCounters, app_window: Window, now: float) -> float:
        if problem == "minute":
            return counters.minute.retry_after(now)
        if problem == "day":
            return counters.day.retry_after(now)
        if problem == "appminute":
            return app_window.retry_after(now)
        return 1.0

    def _headers(self, counters: TenantCounters, app_window: Window) -> dict[str, str]:
        cfg = self._config
        return {
            "X-DayLimit-Remaining": str(max(0, cfg["LIMIT_DAY"] - counters.day.count)),
            "X-MinLimit-Remaining": str(max(0, cfg["LIMIT_MINUTE"] - counters.minute.count)),
            "X-AppMinLimit-Remaining": str(max(0, cfg["LIMIT_APP_MINUTE"] - app_window.count)),
        }
