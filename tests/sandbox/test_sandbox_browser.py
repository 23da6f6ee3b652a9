"""A person connects through the sandbox's login and consent pages in real Chromium."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from sandbox import RunningSandbox
from sandbox.seed import DEMO_ORG, TRIAL_ORG
from tests.sandbox.conftest import ALL_SCOPES, REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.mark.browser
def test_person_connects_two_organisations_through_the_consent_page(
        live_sandbox: RunningSandbox, chromium) -> None:
    config = live_sandbox.sandbox.config
    port = live_sandbox.server.server_port
    # A registered callback path on a loopback port, as the app under test would use.
    redirect_uri = f"http://127.0.0.1:{port}/integrations/xero/callback"
    params = {"response_type": "code", "client_id": config["CLIENT_ID"],
              "redirect_uri": redirect_uri, "scope": ALL_SCOPES, "state": "browser-state"}
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    try:
        page.goto(f"{live_sandbox.url}/identity/connect/authorize?{urlencode(params)}")
        page.get_by_label("Email address").fill("demo@example.com")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Practice Ledger wants access").wait_for()
        page.get_by_label("Trial Practice (AU)").check()
        page.screenshot(path=str(ARTIFACTS / "sandbox-consent.png"), full_page=True)
        page.get_by_role("button", name="Allow access").click()
        # Nothing serves the app's callback here; the URL carrying code and state is enough.
        page.wait_for_url("**/integrations/xero/callback?**")
        query = parse_qs(urlsplit(page.url).query)
        assert query["state"] == ["browser-state"]
        token = requests.post(f"{live_sandbox.url}/connect/token", data={
            "grant_type": "authorization_code", "code": query["code"][0],
            "redirect_uri": redirect_uri, "client_id": config["CLIENT_ID"],
            "client_secret": config["CLIENT_SECRET"]}, timeout=10).json()
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        connections = requests.get(f"{live_sandbox.url}/connections", timeout=10,
                                   headers=bearer).json()
        assert {c["tenantId"] for c in connections} == {DEMO_ORG, TRIAL_ORG}
        _push_an_invoice(live_sandbox.url, bearer)
        page.goto(f"{live_sandbox.url}/_sandbox/org/{DEMO_ORG}")
        page.get_by_role("cell", name="Walk-in <Client>").first.wait_for()
        page.get_by_role("heading", name="Overpayments and prepayments (1)").wait_for()
        page.get_by_role("cell", name="RECEIVE-OVERPAYMENT").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "sandbox-xero-side.png"), full_page=True)
    finally:
        page.close()


def _push_an_invoice(base: str, bearer: dict[str, str]) -> None:
    """What arrives from the app: an authorised invoice for a new contact."""
    answer = requests.put(f"{base}/api.xro/2.0/Invoices", timeout=10, json={"Invoices": [{
        "Type": "ACCREC", "Contact": {"Name": "Walk-in <Client>"}, "Status": "AUTHORISED",
        "LineItems": [{"Description": "Advice", "Quantity": 1, "UnitAmount": 250,
                       "AccountCode": "200"}]}]},
        headers={**bearer, "xero-tenant-id": DEMO_ORG, "Accept": "application/json"})
    assert answer.status_code == 200, answer.text
    overpaid = requests.put(f"{base}/api.xro/2.0/BankTransactions", timeout=10, json={
        "BankTransactions": [{"Type": "RECEIVE-OVERPAYMENT", "Contact": {"Name": "Walk-in <Client>"},
                              "BankAccount": {"Code": "090"}, "Reference": "Paid twice",
                              "LineItems": [{"Description": "Overpaid", "LineAmount": 40}]}]},
        headers={**bearer, "xero-tenant-id": DEMO_ORG, "Accept": "application/json"})
    assert overpaid.status_code == 200, overpaid.text
