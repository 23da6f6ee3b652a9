"""The push seen in real Chromium: a bill linked in Xero shows its Xero number, a failed one shows
Xero's message, and the integrations page counts them and lists the failure with Retry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sandbox import start_in_thread
from tests.browser.conftest import ARTIFACTS
from tests.integrations.conftest import consent_at_sandbox, xero_config
from tests.sandbox.conftest import REDIRECT_URI, sandbox_config


@pytest.fixture
def pushed(live_app, tmp_path):
    """The live app connected to the sandbox's Demo Company, mapped, with one bill linked and one
    failed (its account unmapped); the bills' ids."""
    from accounting.ledger.accounts import Account
    from accounting.ledger.tax import TaxCode
    from accounting.office.billing import approve_bill, create_bill
    from accounting.office.bills import BillLineInput
    from accounting.parties.clients import ClientDetails, open_matter, save_client
    from accounting.parties.users import User
    from extensions import db
    from integrations import oauth
    from integrations.mapping import apply_suggestions, map_account
    from integrations.xero.chart import read_chart
    from integrations.xero.client import accounting_api
    from integrations.xero.drain import DrainSettings, drain_outbox
    from sandbox.seed import DEMO_ORG

    running = start_in_thread(sandbox_config(tmp_path / "sandbox"))
    live_app.app.config.update(xero_config(running))
    with live_app.app.app_context():
        s = db.session
        admin = s.query(User).filter_by(email="admin@example.com").one()
        settings = oauth.XeroSettings.from_config(live_app.app.config)
        request = oauth.start_authorisation(settings, REDIRECT_URI)
        answer = consent_at_sandbox(running, request.url)
        token = oauth.exchange_code(settings, answer["code"][0], request.code_verifier,
                                    REDIRECT_URI)
        tenant = next(t for t in oauth.read_connections(settings, token["access_token"])
                      if t.tenant_id == DEMO_ORG)
        oauth.save_connection(s, token, tenant, admin)
        s.commit()
        api, tenant_id = accounting_api(s, live_app.app.config)
        chart = read_chart(api, tenant_id)
        by_code = {a.code: a.account_id for a in chart.accounts}
        account = {a.code: a for a in s.query(Account)}
        for ours, theirs in {"4-1000": "200", "1-1000": "090"}.items():
            map_account(s, admin, tenant_id, account[ours].id, by_code[theirs], chart)
        apply_suggestions(s, admin, tenant_id, chart)
        from integrations.mapping import AccountMapping

        s.query(AccountMapping).filter_by(account_id=account["4-2000"].id).delete()
        client = save_client(s, admin, ClientDetails(kind="company", name="Acme Pty Ltd"))
        matter = open_matter(s, admin, client, description="Lease", responsible_id=None,
                             opened_on=date.today())
        bills = []
        for code, amount, tax in (("4-1000", "1234.50", TaxCode.GST),
                                  ("4-2000", "80.00", TaxCode.GST_FREE)):
            bill = create_bill(s, admin, matter_id=matter.id, date=date.today(), lines=[
                BillLineInput("Advice on the lease", Decimal("1"), Decimal(amount),
                              account[code].id, tax)])
            approve_bill(s, admin, bill)
            bills.append(bill.id)
        s.commit()
        drain_outbox(s, accounting_api(s, live_app.app.config)[0], tenant_id,
                     DrainSettings(sleep=lambda seconds: None))
        db.session.remove()
    yield bills
    running.stop()


def test_a_linked_bill_shows_its_xero_number(page, sign_in, pushed):
    linked, _failed = pushed
    sign_in()
    page.goto(f"/billing/{linked}")
    state = page.locator("#xero-state")
    assert "In Xero as INV-" in state.inner_text()
    assert state.get_attribute("data-xero-state") == "linked"


def test_a_failed_bill_and_the_integrations_page_say_what_to_do(page, sign_in, pushed):
    _linked, failed = pushed
    sign_in()
    page.goto(f"/billing/{failed}")
    assert "not mapped" in page.locator("#xero-state").inner_text()
    page.goto("/integrations/")
    push = page.locator("#xero-push")
    assert push.locator("[data-count=sent]").inner_text() == "1"
    assert push.locator("[data-count=failed]").inner_text() == "1"
    assert push.get_by_role("button", name="Retry").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "xero_push_failures.png"), full_page=True)
    page.get_by_role("button", name="Retry all").click()
    page.wait_for_url("**/integrations/")
    assert page.locator("#xero-push [data-count=waiting]").inner_text() == "1"
