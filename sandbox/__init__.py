"""A faithful local Xero: Identity (OAuth 2.0), Accounting API, Practice Manager API v3.1.

It is a peer of the app, not a mock: it never imports the app, keeps its own SQLite database and
enforces Xero's rules and limits. Use `create_app(config)` in-process, `start_in_thread(config)`
for a real HTTP server on 127.0.0.1, or `python -m sandbox --port PORT` standalone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.clock import Clock
from sandbox.config import load_config
from sandbox.faults import Faults
from sandbox.jwt import Signer
from sandbox.limits import Limiter
from sandbox.seed import apply_credentials, seed
from sandbox.state import Sandbox
from sandbox.store import Store

__all__ = ["create_app", "start_in_thread", "RunningSandbox"]


def _signer(store: Store, pem: str) -> Signer:
    """The token-signing key: configured, or kept in the store so tokens survive a restart."""
    if pem:
        return Signer(pem.encode())
    saved = store.get("key", "signing")
    if saved is not None:
        return Signer(saved["pem"].encode())
    signer = Signer()
    store.put("key", "signing", {"pem": signer.pem().decode()})
    return signer


def build_sandbox(config: dict[str, Any]) -> Sandbox:
    """Open (and, when empty or asked to reset, seed) the store and assemble the parts."""
    store = Store(str(config["DB_PATH"]))
    clock = Clock(float(config["CLOCK_SPEED"]))
    if config["RESET"]:
        store.wipe()
    if store.is_empty():
        seed(store, config, clock.now())
    else:
        with store.transaction():
            apply_credentials(store, config)
    signer = _signer(store, str(config["SIGNING_KEY_PEM"]))
    return Sandbox(config=config, store=store, clock=clock, signer=signer,
                   limiter=Limiter(config, clock), faults=Faults(config))


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The sandbox as a Flask app. Config: defaults < SANDBOX_* env < `config` (see README)."""
    from sandbox import accounting, admin, identity, inspection, xpm

    settings = load_config(config)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings["SECRET_KEY"]
    app.config["SESSION_COOKIE_NAME"] = "xero_sandbox_session"
    app.extensions["sandbox"] = build_sandbox(settings)
    for blueprint in (identity.bp, accounting.bp, xpm.bp, admin.bp, inspection.bp):
        app.register_blueprint(blueprint)
    return app


@dataclass
class RunningSandbox:
    """A sandbox serving HTTP on 127.0.0.1 in a daemon thread."""

    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321 (append /connect/token, /api.xro/2.0, ...)."""
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def sandbox(self) -> Sandbox:
        """The running parts (store, clock, faults...) for tests that reach inside."""
        return self.app.extensions["sandbox"]

    def stop(self) -> None:
        """Stop serving and close the database."""
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        self.sandbox.store.close()


class _QuietHandler(WSGIRequestHandler):
    """No access log: an embedded sandbox should not write a line per API call."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the access log line (errors are still logged)."""


def start_in_thread(config: dict[str, Any] | None = None, port: int = 0) -> RunningSandbox:
    """Serve a new sandbox on 127.0.0.1 (port 0 = a free port) in a background thread."""
    app = create_app(config)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="xero-sandbox", daemon=True)
    thread.start()
    return RunningSandbox(app=app, server=server, thread=thread)
