"""Control endpoints for tests and demos (not part of Xero): clock, faults, limits, lock dates,
reset."""

from __future__ import annotations

from datetime import date
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


LOCK_FIELDS = {"period_lock_date": "PeriodLockDate", "end_of_year_lock_date": "EndOfYearLockDate"}


def _lock_state(org: dict[str, Any]) -> dict[str, Any]:
    return {"tenant_id": org["OrganisationID"],
            **{key: org.get(field) for key, field in LOCK_FIELDS.items()}}


def _lock_changes(body: dict[str, Any]) -> dict[str, str | None]:
    """The lock dates a POST names: YYYY-MM-DD sets one, null clears it; others stay."""
    changes: dict[str, str | None] = {}
    for key, field in LOCK_FIELDS.items():
        if key not in body:
            continue
        value = body[key]
        if value is not None:
            try:
                value = date.fromisoformat(str(value)).isoformat()
            except ValueError as exc:
                raise ValueError(f"{key} must be YYYY-MM-DD or null, not {value!r}") from exc
        changes[field] = value
    return changes


@bp.route("/lock-dates", methods=["GET", "POST"])
def lock_dates() -> Response:
    """POST {"tenant_id": ..., "period_lock_date": "2026-06-30", "end_of_year_lock_date": null};
    GET ?tenant_id=... (or every organisation without it) answers the current values."""
    sb, body = current(), _json()
    tenant = body.get("tenant_id") if request.method == "POST" else request.args.get("tenant_id")
    if tenant is None and request.method == "GET":
        return json_response({"organisations": [
            _lock_state(org) for org in sb.store.all("organisation")]})
    org = sb.store.get("organisation", str(tenant or ""))
    if org is None:
        return json_response({"error": f"unknown tenant_id {tenant!r}"}, 404)
    if request.method == "POST":
        try:
            changes = _lock_changes(body)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        org = {**org, **changes}
        with sb.store.transaction():
            sb.store.put("organisation", org["OrganisationID"], org, org=org["OrganisationID"])
    return json_response(_lock_state(org))


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
