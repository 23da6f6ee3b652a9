"""Sandbox configuration: one table of defaults, overridable by SANDBOX_* environment variables.

The defaults mirror Xero's published numbers (see ../shared/xero/FACTS.md §3-§5) so that a client
tuned against the sandbox is tuned for Xero; tests and benchmarks shrink or speed them up.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    "PORT": 5055,
    "DB_PATH": "instance/sandbox.sqlite3",
    "RESET": False,
    "SECRET_KEY": "sandbox-not-secret",
    # PEM of the RSA key that signs tokens; empty = generate one and keep it in the database.
    "SIGNING_KEY_PEM": "",
    # Public base URL used in links the sandbox prints (OpenID metadata, README examples).
    "PUBLIC_URL": "",
    # Identity lifetimes, in sandbox seconds (FACTS §3.3).
    "ACCESS_TOKEN_SECONDS": 1800,
    "REFRESH_TOKEN_SECONDS": 60 * 24 * 3600,
    "REFRESH_GRACE_SECONDS": 1800,
    "AUTH_CODE_SECONDS": 300,
    # Rate limits per tenant and app (FACTS §4.1).
    "LIMIT_MINUTE": 60,
    "LIMIT_DAY": 5000,
    "LIMIT_CONCURRENT": 5,
    "LIMIT_APP_MINUTE": 10000,
    # Idempotency-Key retention (FACTS §5).
    "IDEMPOTENCY_SECONDS": 360,
    # Clock: 1.0 is real time; 60.0 runs an hour of Xero in a minute.
    "CLOCK_SPEED": 1.0,
    # Fault injection, off by default; see sandbox/faults.py.
    "FAULT_SEED": 1234,
    "FAULT_RATE_500": 0.0,
    "FAULT_RATE_503": 0.0,
    "FAULT_RATE_SLOW": 0.0,
    "FAULT_SLOW_SECONDS": 2.0,
    "FAULT_REVOKE_AFTER": 0,
    "FAULT_DISCONNECT_AFTER": 0,
    # Seeded app credentials (the app under test connects with these).
    "CLIENT_ID": "PRACTICELEDGERSANDBOX00000000001",
    "CLIENT_SECRET": "sandbox-client-secret-practice-ledger",
    "APP_NAME": "Practice Ledger",
    "REDIRECT_URIS": (
        "http://localhost:5000/integrations/xero/callback,"
        "http://127.0.0.1:5000/integrations/xero/callback"
    ),
    # RFC 8252-style loopback leniency: any port on localhost/127.0.0.1 for a registered path.
    "REDIRECT_ANY_LOOPBACK_PORT": True,
    # A PKCE app (public client): a client_id and no secret, as Xero registers them (FACTS §3.1).
    "PKCE_CLIENT_ID": "PRACTICELEDGERPKCEAPP00000000001",
    "CUSTOM_CLIENT_ID": "PRACTICELEDGERCUSTOMCONN00000001",
    "CUSTOM_CLIENT_SECRET": "sandbox-custom-connection-secret",
    "DEMO_PASSWORD": "demo",
}


def _coerce(default: Any, raw: str) -> Any:
    """Parse an environment string into the type of its default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then SANDBOX_* environment variables, then the explicit overrides (tests) last."""
    config = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = os.environ.get(f"SANDBOX_{key}")
        if raw is not None:
            config[key] = _coerce(default, raw)
    config.update(overrides or {})
    return config


def redirect_uris(config: dict[str, Any]) -> list[str]:
    """The registered redirect URIs of the seeded app, as a list."""
    raw = config["REDIRECT_URIS"]
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return [item.strip() for item in items if item.strip()]
