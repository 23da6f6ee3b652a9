"""Fixtures for integrations/ tests that talk to a live sandbox through xero-python: one person
(demo@example.com) connects Demo Company, Trial Practice and Nocode Legal through the real
authorize/consent/token steps, and the tests get an AccountingApi pointed at the sandbox."""

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
def live_sandbox(tmp_path: Any) -> Iterator[RunningSandbox]:
    running = start_in_thread(sandbox_config(tmp_path))
    yield running
    running.stop()


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
