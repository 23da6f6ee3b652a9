"""Control endpoints for tests and demos (not part of Xero): clock, faults, limits, reset."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from sandbox.seed import seed
from sandbox.state import current
from sandbox.xerojson import json_response

bp = Blueprint("admin", __name__, url_prefix="/_sandbox")

LIMIT_KEYS = ("LIMIT_MINUTE", "LIMIT_DAY", "LIMIT_CONCURRENT", "LIMIT_APP_MINUTE",
              "IDEMPOTENCY_SECONDS", "ACCESS_TOKEN_SECONDS", "REFRESH_TOKEN_SECONDS",
              "REFRESH_GRACE_SECONDS", "AUTH_CODE_SECONDS")


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _clock_state() -> dict[str, Any]:
    clock = current().clock
    return {"now": clock.now(), "now_iso": clock.now_dt().isoformat(), "speed": clock.speed}


@bp.route("/clock", methods=["GET", "POST"])
def clock() -> Response:
    """POST {"advance_seconds": N} and/or {"speed": X}; GET shows the sandbox time."""
    body = _json()
    if "speed" in body:
        current().clock.set_speed(float(body["speed"]))
    if "advance_seconds" in body:
        current().clock.advance(float(body["advance_seconds"]))
    return json_response(_clock_state())


@bp.route("/faults", methods=["GET", "POST"])
def faults() -> Response:
    """POST {"rate_500": 0.1, "seed": 7, "queue": ["503", "revoke"], "clear": true}."""
    try:
        state = current().faults.configure(_json()) if request.method == "POST" \
            else current().faults.describe()
    except (ValueError, TypeError) as exc:
        return json_response({"error": str(exc)}, 400)
    return json_response(state)


@bp.route("/limits", methods=["GET", "POST"])
def limits() -> Response:
    """POST {"LIMIT_MINUTE": 5, ...} changes limits and lifetimes at run time."""
    config = current().config
    for key, value in _json().items():
        if key.upper() in LIMIT_KEYS:
            config[key.upper()] = type(config[key.upper()])(value)
    if request.method == "POST":
        current().limiter.reset()
    return json_response({key: config[key] for key in LIMIT_KEYS})


@bp.post("/reset")
def reset() -> Response:
    """Back to the seeded state: every object, connection and token is forgotten."""
    sb = current()
    with sb.store.transaction():
        key = sb.store.get("key", "signing")
        sb.store.wipe()
        seed(sb.store, sb.config, sb.clock.now())
        if key is not None:
            sb.store.put("key", "signing", key)
    sb.limiter.reset()
    sb.faults.configure({"clear": True})
    return json_response({"reset": True})
