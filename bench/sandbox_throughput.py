"""Throughput of the Xero sandbox for batched invoice creation (PUT /Invoices, 50 per request).

`python -m bench.sandbox_throughput [--quick]`. Prints requests/s and invoices/s in-process
(Flask test client) and over HTTP (a thread on 127.0.0.1), with ratios against one-invoice
requests and against Xero's own per-tenant ceiling (60 calls a minute = 1 request/s), so it is
plain whether the sandbox could ever be the bottleneck when the push engine is measured.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

BATCH = 50
XERO_REQUESTS_PER_SECOND = 60 / 60
UNLIMITED = {"LIMIT_MINUTE": 10**9, "LIMIT_DAY": 10**9, "LIMIT_APP_MINUTE": 10**9,
             "LIMIT_CONCURRENT": 10**6}


def _connect(client: Any, config: dict[str, Any]) -> str:
    """Access token for the demo person on Demo Company (AU), through the real flow."""
    from sandbox.seed import DEMO_ORG

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"response_type": "code", "client_id": config["CLIENT_ID"],
              "redirect_uri": "http://localhost:5000/integrations/xero/callback",
              "scope": "offline_access accounting.transactions accounting.settings",
              "state": "bench", "code_challenge": challenge, "code_challenge_method": "S256"}
    client.post("/identity/login", data={"email": "demo@example.com", "password": "demo",
                                         "query": urlencode(params)})
    back = client.post("/identity/connect/authorize",
                       data={**params, "tenant": [DEMO_ORG], "action": "allow"})
    code = parse_qs(urlsplit(back.location).query)["code"][0]
    token = client.post("/connect/token", data={
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
        "redirect_uri": params["redirect_uri"], "client_id": config["CLIENT_ID"],
        "client_secret": config["CLIENT_SECRET"]})
    return str(token.json["access_token"])


def _body(size: int, serial: int) -> dict[str, Any]:
    return {"Invoices": [{
        "Type": "ACCREC", "Contact": {"Name": f"Bench client {serial % 20}"},
        "Date": "2026-11-02", "DueDate": "2026-11-30", "Status": "AUTHORISED",
        "LineItems": [{"Description": "Advice", "Quantity": 1, "UnitAmount": 100 + i,
                       "AccountCode": "200"}]} for i in range(size)]}


def _measure(send: Callable[[dict[str, Any]], int], requests_: int, size: int) -> float:
    """Seconds for `requests_` PUTs of `size` invoices each (every answer must be 200)."""
    started = time.perf_counter()
    for serial in range(requests_):
        status = send(_body(size, serial))
        if status != 200:
            raise RuntimeError(f"sandbox answered {status}")
    return time.perf_counter() - started


def in_process(requests_: int) -> tuple[float, float]:
    """Batched and single-invoice request rates through the Flask test client."""
    from sandbox import create_app
    from sandbox.seed import DEMO_ORG

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DB_PATH": str(Path(folder) / "bench.sqlite3"), "RESET": True,
                          **UNLIMITED})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {_connect(client, app.extensions['sandbox'].config)}",
                   "xero-tenant-id": DEMO_ORG, "Accept": "application/json"}

        def send(body: dict[str, Any]) -> int:
            return client.put("/api.xro/2.0/Invoices?summarizeErrors=false", json=body,
                              headers=headers).status_code

        batched = requests_ / _measure(send, requests_, BATCH)
        single = requests_ * 5 / _measure(send, requests_ * 5, 1)
        app.extensions["sandbox"].store.close()
    return batched, single


def over_http(requests_: int) -> float:
    """Batched request rate over real HTTP to a sandbox thread on 127.0.0.1."""
    import requests

    from sandbox import start_in_thread
    from sandbox.seed import DEMO_ORG

    with tempfile.TemporaryDirectory() as folder:
        running = start_in_thread({"DB_PATH": str(Path(folder) / "bench.sqlite3"),
                                   "RESET": True, **UNLIMITED})
        try:
            token = _connect(running.app.test_client(), running.sandbox.config)
            session = requests.Session()
            session.headers.update({"Authorization": f"Bearer {token}",
                                    "xero-tenant-id": DEMO_ORG, "Accept": "application/json"})
            url = f"{running.url}/api.xro/2.0/Invoices?summarizeErrors=false"

            def send(body: dict[str, Any]) -> int:
                return session.put(url, json=body, timeout=60).status_code

            return requests_ / _measure(send, requests_, BATCH)
        finally:
            running.stop()


def _rate(requests_per_second: float, size: int) -> str:
    return f"{requests_per_second:,.1f} requests/s, {requests_per_second * size:,.0f} invoices/s"


def measure(requests_: int = 100) -> list[tuple[str, str]]:
    """The figures: request rates in-process and over HTTP, and their ratios."""
    batched, single = in_process(requests_)
    http = over_http(max(2, requests_ // 2))
    return [
        (f"in-process, {BATCH} invoices per request", _rate(batched, BATCH)),
        ("in-process, 1 invoice per request", _rate(single, 1)),
        (f"HTTP thread, {BATCH} invoices per request", _rate(http, BATCH)),
        ("batched vs single, invoices/s (in-process)", f"x{batched * BATCH / single:,.1f}"),
        ("HTTP batched vs Xero's 1 request/s per tenant", f"x{http / XERO_REQUESTS_PER_SECOND:,.1f}"),
    ]


def run(requests_: int = 100) -> None:
    """Print the figures and ratios."""
    from bench.common import print_table  # late: bench.common loads the app; the sandbox needs none of it

    print_table(f"Xero sandbox throughput: PUT /Invoices, {requests_} requests per figure",
                measure(requests_))


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fifth of the requests")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    run(max(5, args.requests // 5) if args.quick else args.requests)


if __name__ == "__main__":
    sys.exit(main())
