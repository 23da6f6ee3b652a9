"""Fixtures for integrations/: a live sandbox (real HTTP, a daemon thread, as in tests/sandbox/),
the app's Xero settings pointed at it, and a consent that goes through the sandbox's real
login and consent pages with requests, as a browser would; `xero_api`, an AccountingApi with its
own token for Demo Company, Trial Practice and Nocode Legal, for the chart and checks tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token

from sandbox import RunningSandbox, start_in_thread
from sandbox.seed import DEMO_ORG, DEMO_PERSON, NOCODE_ORG, TRIAL_ORG
from tests.sandbox.conftest import ACCOUNTING_SCOPES, REDIRECT_URI, pkce_pair, sandbox_config

ALL_ORGS = [DEMO_ORG, TRIAL_ORG, NOCODE_ORG]


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


def connect_all_orgs(live: RunningSandbox) -> dict[str, Any]:
    """Log in as demo@example.com, allow the three organisations, exchange the code."""
    config = live.sandbox.config
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": config["CLIENT_ID"],
              "redirect_uri": REDIRECT_URI, "scope": ACCOUNTING_SCOPES, "state": "state",
              "code_challenge": challenge, "code_challenge_method": "S256"}
    with requests.Session() as browser:
        login_page = browser.get(f"{live.url}/identity/connect/authorize", params=params)
        browser.post(f"{live.url}/identity/login", data={
            "email": DEMO_PERSON, "password": "demo", "query": urlsplit(login_page.url).query})
        back = browser.post(f"{live.url}/identity/connect/authorize",
                            data={**params, "tenant": ALL_ORGS, "action": "allow"},
                            allow_redirects=False)
    code = parse_qs(urlsplit(back.headers["Location"]).query)["code"][0]
    token = requests.post(f"{live.url}/connect/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier}, auth=(config["CLIENT_ID"], config["CLIENT_SECRET"]), timeout=10)
    assert token.status_code == 200, token.text
    return token.json()


@pytest.fixture
def xero_api(live_sandbox: RunningSandbox) -> AccountingApi:
    """An AccountingApi on the sandbox with a token for all three seeded organisations."""
    config = live_sandbox.sandbox.config
    # Configuration is a singleton in xero-python: set the token holder after creating it.
    configuration = Configuration()
    configuration.oauth2_token = OAuth2Token(client_id=config["CLIENT_ID"],
                                             client_secret=config["CLIENT_SECRET"])
    store: dict[str, Any] = {}
    api_client = ApiClient(configuration, pool_threads=1,
                           oauth2_token_getter=lambda: store.get("token"),
                           oauth2_token_saver=lambda token: store.__setitem__("token", token))
    token = connect_all_orgs(live_sandbox)
    token["scope"] = token["scope"].split()
    api_client.set_oauth2_token(token)
    return AccountingApi(api_client, base_url=f"{live_sandbox.url}/api.xro/2.0")
