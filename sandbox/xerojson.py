"""Xero's JSON conventions: MS-JSON dates, money as 2-dp numbers, envelopes and problem bodies.

Sources: FACTS.md §2.4-§2.5 (envelope, dates), §3.8 (401/403 bodies), §6 (ValidationException).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import Response

ZERO_ID = "00000000-0000-0000-0000-000000000000"
CENT = Decimal("0.01")
_MS_DATE = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")


def new_id() -> str:
    """A fresh Xero-style GUID."""
    return str(uuid.uuid4())


def money(value: Any) -> Decimal:
    """A request amount as a Decimal rounded to cents (ValueError when not a number)."""
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def number(value: Any) -> Decimal:
    """Parse a quantity or unit amount without rounding it."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def out_money(text: str | Decimal) -> float:
    """A stored decimal string as a JSON number (2-dp values survive float's shortest repr)."""
    return float(Decimal(str(text)))


def parse_date(value: Any) -> date:
    """Accept YYYY-MM-DD, ISO datetimes and MS-JSON dates, as Xero does on input."""
    text = str(value).strip()
    match = _MS_DATE.fullmatch(text)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date()
    return date.fromisoformat(text[:10])


def ms_date(day: str | date) -> str:
    """A calendar date as Xero writes it: /Date(ms+0000)/ at midnight UTC."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    stamp = datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    return f"/Date({int(stamp * 1000)}+0000)/"


def ms_timestamp(seconds: float) -> str:
    """An instant as Xero writes UpdatedDateUTC: /Date(ms+0000)/."""
    return f"/Date({int(seconds * 1000)}+0000)/"


def iso_date_string(day: str) -> str:
    """The ISO twin Xero sends beside a date, e.g. DateString 2019-02-26T00:00:00."""
    return f"{day}T00:00:00"


def envelope(key: str, items: list[dict[str, Any]], app_name: str, now: float) -> dict[str, Any]:
    """The Accounting API response envelope around a collection (FACTS §2.4)."""
    return {
        "Id": new_id(),
        "Status": "OK",
        "ProviderName": app_name,
        "DateTimeUTC": f"/Date({int(now * 1000)})/",
        key: items,
    }


def _json_default(value: Any) -> Any:
    """Decimals (from parse_float=Decimal) leave as JSON numbers."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with Xero's content type."""
    response = Response(
        json.dumps(body, separators=(",", ":"), default=_json_default),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem(status: int, detail: str) -> Response:
    """Xero's RFC 7807-ish 401/403 body; Instance equals the correlation id (FACTS §3.8)."""
    correlation = new_id()
    title = {401: "Unauthorized", 403: "Forbidden"}.get(status, "Error")
    body = {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": correlation,
        "Extensions": {},
    }
    return json_response(body, status, {"Xero-Correlation-Id": correlation})


def validation_exception(elements: list[dict[str, Any]]) -> Response:
    """HTTP 400 ValidationException with the failed elements echoed (FACTS §6.2)."""
    body = {
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": elements,
    }
    return json_response(body, 400)


def not_found() -> Response:
    """Xero's plain-text 404 (FACTS §6.1)."""
    return Response("The resource you're looking for cannot be found", 404,
                    content_type="text/plain")


def parse_bool(value: Any, default: bool = False) -> bool:
    """Query booleans arrive as true/True/false/False (xero-python uses urlencode, FACTS §6.3)."""
    if value is None or value == "":
        return default
    return str(value).strip().lower() == "true"
