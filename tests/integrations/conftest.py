"""Fixtures for integrations/: a live sandbox (real HTTP, a daemon thread, as in tests/sandbox/),
the app's Xero settings pointed at it, and a consent that goes through the sandbox's real
login and consent pages with requests, as a browser would."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox import RunningSandbox, start_in_thread
from sandbox.seed import DEMO_ORG, DEMO_PERSON
from tests.sandbox.conftest import REDIRECT_URI, sandbox_config


@pytest.fixture
def live_sandbox(tmp_path) -> Iterator[RunningSandbox]:
    """A fresh seeded sandbox serving HTTP on a free port."""
    running = start_in_thread(sandbox_config(tmp_path))
    yield running
    running.stop()


def xero_config(live: RunningSandbox) -> dict[str, str]:
    """The app's XERO_* settings for this sandbox: same paths as Xero, another base."""
    config = live.sandbox.config
    return {"XERO_AUTHORIZE_URL": f"{live.url}/identity/connect/authorize",
            "XERO_TOKEN_URL": f"{live.url}/connect/token",
            "XERO_REVOKE_URL": f"{live.url}/connect/revocation",
            "XERO_CONNECTIONS_URL": f"{live.url}/connections",
            "XERO_API_URL": f"{live.url}/api.xro/2.0",
            "XERO_CLIENT_ID": config["CLIENT_ID"], "XERO_CLIENT_SECRET": config["CLIENT_SECRET"]}


@pytest.fixture
def xero_settings(app, live_sandbox):
    """The app configured for the live sandbox, and its XeroSettings."""
    from integrations.oauth import XeroSettings

    app.config.update(xero_config(live_sandbox))
    return XeroSettings.from_config(app.config)


def consent_at_sandbox(live: RunningSandbox, authorise_url: str, tenants=(DEMO_ORG,),
                       action: str = "allow") -> dict[str, list[str]]:
    """Log in as demo@example.com and answer the consent page; the query Xero redirects back with."""
    params = {key: values[0] for key, values in parse_qs(urlsplit(authorise_url).query).items()}
    with requests.Session() as browser:
        login_page = browser.get(authorise_url, timeout=10)
        assert "Log in to Xero" in login_page.text
        consent = browser.post(f"{live.url}/identity/login", timeout=10, data={
            "email": DEMO_PERSON, "password": "demo", "query": urlsplit(login_page.url).query})
        assert "Allow access" in consent.text, consent.text[:500]
        back = browser.post(f"{live.url}/identity/connect/authorize", timeout=10,
                            data={**params, "tenant": list(tenants), "action": action},
                            allow_redirects=False)
    location = back.headers["Location"]
    assert location.startswith(REDIRECT_URI), location
    return parse_qs(urlsplit(location).query)


@pytest.fixture
def connected(db_session, books, live_sandbox, xero_settings):
    """The practice connected to the sandbox's Demo Company (AU), through the real flow."""
    from integrations import oauth

    request = oauth.start_authorisation(xero_settings, REDIRECT_URI)
    answer = consent_at_sandbox(live_sandbox, request.url)
    token = oauth.exchange_code(xero_settings, answer["code"][0], request.code_verifier,
                                REDIRECT_URI)
    tenants = oauth.read_connections(xero_settings, token["access_token"])
    demo = next(t for t in tenants if t.tenant_id == DEMO_ORG)
    connection = oauth.save_connection(db_session, token, demo, books.admin)
    db_session.commit()
    return connection


def sandbox_control(live: RunningSandbox, what: str, **body) -> dict:
    """POST to one of the sandbox's control endpoints (/_sandbox/clock, /_sandbox/faults, ...)."""
    response = requests.post(f"{live.url}/_sandbox/{what}", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()
