"""What stands between a client and the Accounting / Practice Manager handlers, in Xero's order:

1. bearer token (401), 2. tenant header and connection (403; a custom connection may leave the
header out, it has one organisation), 3. scope (401 insufficient_scope), 4. rate limits (429;
replays count too, FACTS §5), 5. injected faults (revoke 401, disconnect 403, 500/503/slow), drawn
only for calls the limits let through so a 429 never uses one up, 6. Idempotency-Key replay or
mismatch, 7. the handler, run as one unit of work in the store. Every answer, 401 and 403
included, carries the X-*-Remaining headers (FACTS §2.3: a real 401 carried them); refusals are
not counted.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Response, g, request

from sandbox.identity import authenticate, find_connection, revoke_person_app
from sandbox.state import Sandbox, current
from sandbox.xerojson import json_response, problem

View = Callable[..., Response]
TENANT_HEADER = "xero-tenant-id"
MAX_KEY = 128


def guarded(read: tuple[str, ...], write: tuple[str, ...], tenant_type: str = "ORGANISATION",
            idempotent: bool = True) -> Callable[[View], View]:
    """Wrap an API view with Xero's checks; `read`/`write` are the scopes that allow it."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            return run_guarded(read, write, lambda: view(*args, **kwargs), tenant_type, idempotent)

        return wrapper

    return decorate


def run_guarded(read: tuple[str, ...], write: tuple[str, ...], call: Callable[[], Response],
                tenant_type: str = "ORGANISATION", idempotent: bool = True) -> Response:
    """Run `call` behind Xero's checks (the function form of @guarded, for dispatching routes)."""
    sb = current()
    scopes = read + write if request.method == "GET" else write
    admitted = _admit(sb, scopes, tenant_type)
    if isinstance(admitted, Response):
        return admitted
    return _limited(sb, lambda: _structural_fault(sb, admitted) or _run(sb, call, idempotent))


def _admit(sb: Sandbox, scopes: tuple[str, ...], tenant_type: str) -> Any:
    """Steps 1-3: who is calling, for which tenant, with which scopes; the connection or a
    refusal carrying the (uncounted) limit headers."""
    grant = authenticate(sb)
    tenant = request.headers.get(TENANT_HEADER, "").strip()
    if isinstance(grant, Response):
        return _with_headers(grant, sb.limiter.peek(tenant, None))
    tenant = tenant or _custom_connection_tenant(sb, grant)
    connection = (find_connection(sb, grant["person"], grant["client_id"], tenant)
                  if tenant else None)
    if connection is None or connection["tenantType"] != tenant_type:
        refusal = problem(403, "AuthenticationUnsuccessful")
    elif not set(scopes) & set(grant["scopes"]):
        refusal = problem(401, "AuthorizationUnsuccessful")
        refusal.headers["WWW-Authenticate"] = "insufficient_scope"
    else:
        g.grant, g.tenant = grant, tenant
        return connection
    return _with_headers(refusal, sb.limiter.peek(tenant, grant["client_id"]))


def _custom_connection_tenant(sb: Sandbox, grant: dict[str, Any]) -> str:
    """A custom connection has exactly one organisation, so Xero does not need the tenant header
    from it (Xero's custom connections page); other apps must send it."""
    app = sb.store.get("app", grant["client_id"])
    return (app or {}).get("custom_org") or ""


def _structural_fault(sb: Sandbox, connection: dict[str, Any]) -> Response | None:
    """Step 5: injected 'token revoked' / 'connection removed' faults fail the call as Xero
    would; other faults are kept for step 5's second half (_faulted)."""
    grant = g.grant
    fault = sb.faults.next_fault()
    g.fault = fault
    if fault == "revoke":
        with sb.store.transaction():
            revoke_person_app(sb, grant["person"], grant["client_id"])
        return problem(401, "AuthenticationUnsuccessful")
    if fault == "disconnect":
        sb.store.delete("connection", connection["id"])
        return problem(403, "AuthenticationUnsuccessful")
    return None


def _limited(sb: Sandbox, call: Callable[[], Response]) -> Response:
    """Step 4 around the rest; the limit headers go on every answer."""
    tenant, client_id = g.tenant, g.grant["client_id"]
    verdict = sb.limiter.enter(tenant, client_id)
    if not verdict.allowed:
        return _with_headers(Response("", 429), verdict.headers)
    try:
        response = call()
    finally:
        sb.limiter.leave(tenant, client_id)
    return _with_headers(response, verdict.headers)


def _with_headers(response: Response, headers: dict[str, str]) -> Response:
    for name, value in headers.items():
        response.headers[name] = value
    # Every Xero answer carries a correlation id (FACTS §2.3); problems already set theirs.
    response.headers.setdefault("Xero-Correlation-Id", str(uuid.uuid4()))
    return response


def _faulted(sb: Sandbox) -> Response | None:
    """Step 5, second half: injected server errors and slowness."""
    fault = g.get("fault")
    if fault == "slow":
        # Real seconds on purpose: a client's timeout is measured on its own clock.
        time.sleep(float(sb.faults.settings["FAULT_SLOW_SECONDS"]))
    if fault == "500":
        return json_response({"Title": "An error occurred", "Status": 500,
                              "Detail": "An error occurred in Xero. (sandbox fault)"}, 500)
    if fault == "503":
        return json_response({"Title": "Service Unavailable", "Status": 503,
                              "Detail": "Organisation offline (sandbox fault)"}, 503)
    return None


def _run(sb: Sandbox, call: Callable[[], Response], idempotent: bool) -> Response:
    """Steps 6-7: idempotency, then the handler as one unit of work."""
    faulted = _faulted(sb)
    if faulted is not None:
        return faulted
    key = request.headers.get("Idempotency-Key")
    if not idempotent or key is None or request.method not in {"PUT", "POST", "PATCH"}:
        with sb.store.transaction():
            return call()
    if len(key) > MAX_KEY:
        return _idempotency_error(f"Idempotency Key: {key} is longer than 128 characters.")
    store_key = f"{g.grant['client_id']}:{key}"
    fingerprint = _fingerprint()
    with sb.store.transaction():
        saved = sb.store.get("idem", store_key)
        if saved is not None and saved["expires_at"] > sb.clock.now():
            if saved["fingerprint"] != fingerprint:
                return _idempotency_error(
                    f"Idempotency Key: {key} is used with a different request.")
            return Response(saved["body"], saved["status"], content_type=saved["content_type"])
        response = call()
        # Errors are cached too (FACTS §5): a client must retry with a NEW key after a 400.
        sb.store.put("idem", store_key, {
            "fingerprint": fingerprint, "status": response.status_code,
            "body": response.get_data(as_text=True), "content_type": response.content_type,
            "expires_at": sb.clock.now() + sb.config["IDEMPOTENCY_SECONDS"],
        })
        return response


def _fingerprint() -> str:
    parts = [request.method, request.full_path, g.tenant, request.get_data(as_text=True)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _idempotency_error(message: str) -> Response:
    # Body wrapper UNCONFIRMED (FACTS §13.3): an ApiException carrying the documented message.
    return json_response({"ErrorNumber": 10, "Type": "ValidationException", "Message": message,
                          "Elements": []}, 400)
