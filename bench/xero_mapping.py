"""Connect -> a complete suggested mapping, for the sandbox's Demo Company (AU).

`python -m bench.xero_mapping [--runs N]`. Runs the app's own code end to end against the sandbox
over real HTTP (a thread on 127.0.0.1): the OAuth flow (consent answered as demo@example.com),
/connections, saving the connection, the chart-reading task's work (read_and_store_chart) and
Accept all suggestions. A counting middleware on the sandbox tells Xero API calls (/connections
and the Accounting API, what Xero's rate limits count) from identity calls (login, consent, token).
The figures: API calls per connect (aim: at most 4), the wall time, and that time against one
API call's round trip (GET /Organisation) measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REDIRECT_URI = "http://localhost:5000/integrations/xero/callback"
API_PREFIXES = ("/connections", "/api.xro/")


class CallCounter:
    """WSGI middleware counting the requests the sandbox answers, by kind."""

    def __init__(self, app: Any) -> None:
        self.app, self.api, self.identity = app, 0, 0

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith(API_PREFIXES):
            self.api += 1
        else:
            self.identity += 1
        return self.app(environ, start_response)

    def reset(self) -> None:
        self.api = self.identity = 0


def _consent(sandbox_url: str, authorise_url: str) -> str:
    """Sign in at the sandbox as demo@example.com, allow Demo Company; the code it sends back."""
    import requests

    from sandbox.seed import DEMO_ORG, DEMO_PERSON

    params = {k: v[0] for k, v in parse_qs(urlsplit(authorise_url).query).items()}
    with requests.Session() as browser:
        login = browser.get(authorise_url, timeout=10)
        browser.post(f"{sandbox_url}/identity/login", timeout=10, data={
            "email": DEMO_PERSON, "password": "demo", "query": urlsplit(login.url).query})
        back = browser.post(f"{sandbox_url}/identity/connect/authorize", timeout=10,
                            data={**params, "tenant": [DEMO_ORG], "action": "allow"},
                            allow_redirects=False)
    return parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]


def xero_config(running: Any) -> dict[str, str]:
    """The app's XERO_* settings for the sandbox: Xero's paths on the sandbox's base URL."""
    config = running.sandbox.config
    return {"XERO_AUTHORIZE_URL": f"{running.url}/identity/connect/authorize",
            "XERO_TOKEN_URL": f"{running.url}/connect/token",
            "XERO_REVOKE_URL": f"{running.url}/connect/revocation",
            "XERO_CONNECTIONS_URL": f"{running.url}/connections",
            "XERO_API_URL": f"{running.url}/api.xro/2.0",
            "XERO_CLIENT_ID": config["CLIENT_ID"], "XERO_CLIENT_SECRET": config["CLIENT_SECRET"]}


def _fresh_app(folder: Path, xero: dict[str, str]):
    from accounting.base import Base
    from accounting.ledger.accounts import install_default_chart
    from accounting.ledger.practice import get_practice
    from app import create_app
    from extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.sqlite3'}", **xero})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        get_practice(db.session)
        install_default_chart(db.session)
        db.session.commit()
    return app


def connect_and_map(app: Any, sandbox_url: str) -> tuple[Any, int]:
    """Connect -> chart read -> suggestions accepted; the completeness and how many were mapped."""
    from extensions import db
    from integrations import mapping, oauth
    from integrations.chart_store import read_and_store_chart

    with app.app_context():
        settings = oauth.XeroSettings.from_config(app.config)
        request = oauth.start_authorisation(settings, REDIRECT_URI)
        code = _consent(sandbox_url, request.url)
        token = oauth.exchange_code(settings, code, request.code_verifier, REDIRECT_URI)
        tenant = oauth.read_connections(settings, token["access_token"])[0]
        oauth.save_connection(db.session, token, tenant, None)
        db.session.commit()
        chart = read_and_store_chart(db.session, app.config)
        mapped = mapping.apply_suggestions(db.session, None, tenant.tenant_id, chart)
        db.session.commit()
        summary = mapping.completeness(db.session, tenant.tenant_id)
        mapping.forget_mappings(db.session, keep_tenant_id="")  # the next run starts unmapped
        db.session.commit()
        return summary, mapped


def one_round_trip(app: Any, calls: int = 5) -> float:
    """The median wall time of one Accounting API call (GET /Organisation), in seconds."""
    from extensions import db
    from integrations.xero.client import accounting_api

    with app.app_context():
        api, tenant = accounting_api(db.session, app.config)
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            api.get_organisations(tenant)
            times.append(time.perf_counter() - started)
        return statistics.median(times)


def measure(runs: int = 5) -> list[tuple[str, str]]:
    from sandbox import start_in_thread

    with tempfile.TemporaryDirectory(prefix="pl-bench-xero-") as folder:
        running = start_in_thread({"DB_PATH": str(Path(folder) / "sandbox.sqlite3"), "RESET": True})
        counter = CallCounter(running.server.app)
        running.server.app = counter
        try:
            app = _fresh_app(Path(folder), xero_config(running))
            walls, api_calls, identity_calls = [], [], []
            for _ in range(runs):
                counter.reset()
                started = time.perf_counter()
                summary, mapped = connect_and_map(app, running.url)
                walls.append(time.perf_counter() - started)
                api_calls.append(counter.api)
                identity_calls.append(counter.identity)
            trip = one_round_trip(app)
        finally:
            running.stop()
    wall = statistics.median(walls)
    return [
        ("Xero API calls, Connect -> suggested mapping", f"{max(api_calls)} (aim: at most 4)"),
        ("identity calls (consent pages, token)", f"{max(identity_calls)}"),
        ("wall time, median of runs", f"{wall * 1000:,.0f} ms"),
        ("one API call's round trip (GET /Organisation)", f"{trip * 1000:,.1f} ms"),
        ("wall time vs one round trip", f"x{wall / trip:,.1f}"),
        ("mapped by suggestion", f"{mapped}: accounts {summary.accounts_mapped} of "
                                 f"{summary.accounts_total}, tax codes {summary.taxes_mapped} of "
                                 f"{summary.taxes_total}"),
    ]


def run(runs: int = 5) -> None:
    """Print the figures and ratios."""
    from bench.common import print_table

    print_table(f"Connect -> suggested mapping, Demo Company (AU), {runs} runs", measure(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    run(parser.parse_args().runs)


if __name__ == "__main__":
    sys.exit(main())
