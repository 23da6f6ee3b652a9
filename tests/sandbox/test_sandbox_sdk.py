"""The official SDK (xero-python), pointed at a sandbox serving real HTTP, runs a full flow and
meets Xero's errors as its own exceptions. Only base URLs change, as in the app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from xero_python.accounting import Account as AccountRef
from xero_python.accounting import (
    AccountingApi,
    Allocation,
    Allocations,
    BankTransaction,
    BankTransactions,
    BankTransfer,
    BankTransfers,
    Contact,
    Contacts,
    CreditNote,
    CreditNotes,
    Invoice,
    Invoices,
    LineItem,
    ManualJournal,
    ManualJournalLine,
    ManualJournals,
    Payment,
)
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import AccountingBadRequestException, RateLimitException
from xero_python.identity import IdentityApi

from sandbox import RunningSandbox
from sandbox.seed import DEMO_ORG, DEMO_PERSON
from tests.sandbox.conftest import REDIRECT_URI, pkce_pair

SCOPES = ("openid profile email offline_access accounting.transactions accounting.settings "
          "accounting.contacts accounting.reports.read")


def sdk_configuration(client_id: str, client_secret: str) -> Configuration:
    """xero-python's Configuration is a singleton: Configuration(...) returns a copy of the FIRST
    one ever made, ignoring its arguments, so the token holder must be set after creation."""
    configuration = Configuration()
    configuration.oauth2_token = OAuth2Token(client_id=client_id, client_secret=client_secret)
    return configuration


def connect_with_requests(live: RunningSandbox) -> dict[str, Any]:
    """Authorize in a 'browser' (requests session), then exchange the code for tokens."""
    config = live.sandbox.config
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": config["CLIENT_ID"],
              "redirect_uri": REDIRECT_URI, "scope": SCOPES, "state": "sdk-state",
              "code_challenge": challenge, "code_challenge_method": "S256"}
    with requests.Session() as browser:
        login_page = browser.get(f"{live.url}/identity/connect/authorize", params=params)
        assert "Log in to Xero" in login_page.text
        consent_page = browser.post(f"{live.url}/identity/login", data={
            "email": DEMO_PERSON, "password": "demo",
            "query": urlsplit(login_page.url).query})
        assert "Allow access" in consent_page.text
        back = browser.post(f"{live.url}/identity/connect/authorize",
                            data={**params, "tenant": [DEMO_ORG], "action": "allow"},
                            allow_redirects=False)
    query = parse_qs(urlsplit(back.headers["Location"]).query)
    assert query["state"] == ["sdk-state"]
    token = requests.post(f"{live.url}/connect/token", data={
        "grant_type": "authorization_code", "code": query["code"][0],
        "redirect_uri": REDIRECT_URI, "code_verifier": verifier},
        auth=(config["CLIENT_ID"], config["CLIENT_SECRET"]), timeout=10)
    assert token.status_code == 200, token.text
    return token.json()


@pytest.fixture
def sdk(live_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An ApiClient with the SDK's own token store, pointed at the sandbox."""
    config = live_sandbox.sandbox.config
    for attribute in ("refresh_token_url", "client_credentials_token_url"):
        monkeypatch.setattr(TokenApi, attribute, f"{live_sandbox.url}/connect/token")
    monkeypatch.setattr(TokenApi, "revoke_token_url", f"{live_sandbox.url}/connect/revocation")
    store: dict[str, Any] = {}
    api_client = ApiClient(sdk_configuration(config["CLIENT_ID"], config["CLIENT_SECRET"]),
                           pool_threads=1)
    api_client.oauth2_token_getter(lambda: store["token"])
    api_client.oauth2_token_saver(lambda token: store.__setitem__("token", token))
    token = connect_with_requests(live_sandbox)
    token["scope"] = token["scope"].split()
    api_client.set_oauth2_token(token)
    return {"client": api_client, "store": store,
            "accounting": AccountingApi(api_client, base_url=f"{live_sandbox.url}/api.xro/2.0"),
            "identity": IdentityApi(api_client, base_url=live_sandbox.url)}


def test_official_sdk_runs_the_full_flow(sdk: dict[str, Any]) -> None:
    accounting: AccountingApi = sdk["accounting"]
    first_refresh = sdk["store"]["token"]["refresh_token"]
    refreshed = sdk["client"].refresh_oauth2_token()
    assert refreshed["refresh_token"] != first_refresh

    tenant = sdk["identity"].get_connections()[0].tenant_id
    assert tenant == DEMO_ORG

    contact = accounting.create_contacts(tenant, Contacts(contacts=[
        Contact(name="SDK Client Pty Ltd", email_address="sdk@example.com")])).contacts[0]

    invoice = accounting.create_invoices(tenant, Invoices(invoices=[Invoice(
        type="ACCREC", contact=Contact(contact_id=contact.contact_id), date=date(2026, 11, 2),
        due_date=date(2026, 11, 30), status="AUTHORISED",
        line_items=[LineItem(description="Advice", quantity=2, unit_amount=150,
                             account_code="200", tax_type="OUTPUT")])]),
        summarize_errors=False).invoices[0]
    assert invoice.total == Decimal("330") or invoice.total == 330
    assert invoice.status == "AUTHORISED"

    payment = accounting.create_payment(tenant, Payment(
        invoice=Invoice(invoice_id=invoice.invoice_id), account=AccountRef(code="090"),
        date=date(2026, 11, 5), amount=100)).payments[0]
    assert payment.payment_type == "ACCRECPAYMENT"

    note = accounting.create_credit_notes(tenant, CreditNotes(credit_notes=[CreditNote(
        type="ACCRECCREDIT", contact=Contact(contact_id=contact.contact_id),
        date=date(2026, 11, 3), status="AUTHORISED",
        line_items=[LineItem(description="Discount", quantity=1, unit_amount=20,
                             account_code="200")])])).credit_notes[0]
    allocation = accounting.create_credit_note_allocation(
        tenant, note.credit_note_id, Allocations(allocations=[Allocation(
            amount=22, date=date(2026, 11, 4), invoice=Invoice(invoice_id=invoice.invoice_id))])
    ).allocations[0]
    assert allocation.amount == 22

    accounting.create_bank_transactions(tenant, BankTransactions(bank_transactions=[
        BankTransaction(type="SPEND", contact=Contact(contact_id=contact.contact_id),
                        bank_account=AccountRef(code="090"), date=date(2026, 11, 6),
                        line_items=[LineItem(description="Bank fee", quantity=1,
                                             unit_amount=15, account_code="404")])]))
    accounting.create_bank_transfer(tenant, BankTransfers(bank_transfers=[BankTransfer(
        from_bank_account=AccountRef(code="090"), to_bank_account=AccountRef(code="091"),
        amount=50, date=date(2026, 11, 7))]))
    accounting.create_manual_journals(tenant, ManualJournals(manual_journals=[ManualJournal(
        narration="Reclassify", status="POSTED", date=date(2026, 11, 8),
        journal_lines=[ManualJournalLine(line_amount=40, account_code="400"),
                       ManualJournalLine(line_amount=-40, account_code="429")])]))

    report = accounting.get_report_trial_balance(tenant, date=date(2026, 11, 30)).reports[0]
    rows = {row.cells[0].value: row.cells for section in report.rows[1:]
            for row in (section.rows or [])}
    bank = rows["Business Bank Account (090)"]
    assert Decimal(bank[3].value) - Decimal(bank[4].value) == Decimal("35.00")  # 100-15-50
    total = rows["Total"]
    assert total[3].value == total[4].value


def test_sdk_sees_a_validation_error_as_accounting_bad_request(sdk: dict[str, Any]) -> None:
    with pytest.raises(AccountingBadRequestException) as raised:
        sdk["accounting"].create_invoices(DEMO_ORG, Invoices(invoices=[Invoice(
            type="ACCREC", contact=Contact(name="Anyone"),
            line_items=[LineItem(description="x", quantity=1, unit_amount=1,
                                 account_code="999")])]))
    assert raised.value.status == 400
    assert raised.value.reason == "Account code '999' is not a valid code for this document."


def test_sdk_sees_429_as_rate_limit_exception(sdk: dict[str, Any],
                                              live_sandbox: RunningSandbox) -> None:
    """A 429 on a POST reaches the SDK as RateLimitException. (On GET/PUT/DELETE, urllib3's
    default Retry sleeps Retry-After and retries up to 3 times before the SDK sees anything.)"""
    requests.post(f"{live_sandbox.url}/_sandbox/limits", json={"LIMIT_MINUTE": 1}, timeout=10)
    sdk["accounting"].get_organisations(DEMO_ORG)
    with pytest.raises(RateLimitException) as raised:
        sdk["accounting"].update_or_create_contacts(DEMO_ORG,
                                                    Contacts(contacts=[Contact(name="Late")]))
    assert raised.value.rate_limit == "minute"
    assert int(raised.value.headers["Retry-After"]) >= 1


def test_sdk_custom_connection_with_client_credentials(live_sandbox: RunningSandbox,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    config = live_sandbox.sandbox.config
    monkeypatch.setattr(TokenApi, "client_credentials_token_url",
                        f"{live_sandbox.url}/connect/token")
    store: dict[str, Any] = {}
    configuration = sdk_configuration(config["CUSTOM_CLIENT_ID"], config["CUSTOM_CLIENT_SECRET"])
    api_client = ApiClient(configuration, pool_threads=1,
                           oauth2_token_getter=lambda: store.get("token"),
        oauth2_token_saver=lambda token: store.__setitem__("token", token))
    api_client.get_client_credentials_token()
    accounting = AccountingApi(api_client, base_url=f"{live_sandbox.url}/api.xro/2.0")
    assert accounting.get_organisations(DEMO_ORG).organisations[0].name == "Demo Company (AU)"
