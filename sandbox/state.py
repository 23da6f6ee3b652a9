"""The running sandbox's parts, reachable from any request through `current()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from sandbox.clock import Clock
from sandbox.faults import Faults
from sandbox.jwt import Signer
from sandbox.limits import Limiter
from sandbox.store import Store


@dataclass
class Sandbox:
    """Everything a request handler needs: storage, time, keys, limits, faults and settings."""

    config: dict[str, Any]
    store: Store
    clock: Clock
    signer: Signer
    limiter: Limiter
    faults: Faults

    def app_name(self, client_id: str) -> str:
        """The ProviderName for responses to an app's calls."""
        app = self.store.get("app", client_id)
        return app["name"] if app else client_id


def current() -> Sandbox:
    """The sandbox of the current Flask app."""
    return current_app.extensions["sandbox"]
