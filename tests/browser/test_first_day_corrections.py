"""A bookkeeper's first day in real Chromium: the first reconciliation of an account whose books
hold history from before the statement, opened at the statement's opening balance; and a bill
voided through its confirmation page, refused without a reason, then voided with one."""

import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

JULY = date(2026, 7, 1)


def snapshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"first-day-{name}.png"), full_page=True)


def _history_and_july(live_app):
    """1,000.00 received on 30 June (before the statement); 100.00 and 200.00 on 20 July."""
    from accounting.ledger.accounts import Account
    from accounting.ledger.tax import TaxCode
    from accounting.office.bank_transactions import MoneyLine, record_bank_transaction

    with live_app.app.app_context():
        session = live_app.session()
        bank = session.query(Account).filter_by(code="1-1000").one()
        fees = session.query(Account).filter_by(code="4-1000").one()
        for on, amount in ((date(2026, 6, 30), "1000.00"), (date(2026, 7, 20), "100.00"),
                           (date(2026, 7, 20), "200.00")):
            record_bank_transaction(session, None, kind="deposit", bank_account_id=bank.id, date=on,
                                    contact="Client", lines=[MoneyLine(fees.id, Decimal(amount),
                                                                       TaxCode.GST_FREE)])
        session.commit()
        session.remove()


def test_the_first_reconciliation_opens_at_the_statements_opening_balance(page, sign_in, live_app,
                                                                          tmp_path):
    _history_and_july(live_app)
    statement = tmp_path / "july.csv"
    statement.write_text("Date,Description,Amount\n21/07/2026,DEPOSIT 2 CHEQUES,300.00\n")
    sign_in()
    page.goto("/banking/")
    expect(page.locator("#latest-entries table.bank-entries tbody tr")).to_have_count(3)
    snapshot(page, "banking")
    page.get_by_role("link", name="Reconcile").click()
    page.get_by_label("Statement file (CSV or OFX)").set_input_files(str(statement))
    page.get_by_role("button", name="Import statement").click()
    page.goto(page.url.replace("/statement", "/reconcile"))
    page.get_by_label("Tick statement line 21 Jul 2026 DEPOSIT 2 CHEQUES 300.00").check()
    page.get_by_label(re.compile(r"Tick book entry .* 100\.00")).check()
    page.get_by_label(re.compile(r"Tick book entry .* 200\.00")).check()
    page.get_by_role("button", name="Match ticked lines").click()
    page.get_by_label("Statement opening balance").fill("1,000.00")
    page.get_by_label("Statement closing date").fill("2026-07-31")
    page.get_by_label("Statement closing balance").fill("1,300.00")
    snapshot(page, "first-reconcile")
    page.get_by_role("button", name="Save reconciliation").click()
    expect(page.locator(".flashes")).to_contain_text("Reconciled to 31 Jul 2026.")
    expect(page.locator(".opening-balance")).to_have_text("1,000.00")
    expect(page.locator(".statement-balance")).to_have_text("1,300.00")
    expect(page.locator(".difference")).to_have_text("0.00")
    expect(page.locator("table.statement-lines")).to_contain_text("DEPOSIT 2 CHEQUES")
    snapshot(page, "first-reconciliation-report")


def _a_posted_bill(live_app):
    from accounting.ledger.accounts import AccountRole, account_for_role
    from accounting.office.billing import approve_bill, create_bill
    from accounting.office.bills import BillLineInput
    from accounting.parties.clients import ClientDetails, open_matter, save_client

    with live_app.app.app_context():
        s = live_app.session()
        fees = account_for_role(s, AccountRole.PROFESSIONAL_FEES)
        client = save_client(s, None, ClientDetails(kind="company", name="Acme Pty Ltd"))
        matter = open_matter(s, None, client, description="Lease of Unit 4", responsible_id=None,
                             opened_on=JULY)
        bill = create_bill(s, None, matter_id=matter.id, date=JULY,
                           lines=[BillLineInput("Advice", Decimal("1"), Decimal("100.00"), fees.id)])
        approve_bill(s, None, bill)
        s.commit()
        bill_id = bill.id
        s.remove()
    return bill_id


def test_a_bill_is_voided_after_its_confirmation_and_with_a_reason(page, sign_in, live_app):
    bill_id = _a_posted_bill(live_app)
    sign_in()
    page.goto(f"/billing/{bill_id}")
    snapshot(page, "posted-bill")
    page.get_by_role("link", name="Void INV-00001…").click()
    expect(page.locator("#confirm .consequences")).to_contain_text("reversing journal")
    page.get_by_role("button", name="Void INV-00001").click()
    expect(page.locator("#reason-error")).to_contain_text("Give the reason for voiding the bill.")
    expect(page.locator("h1 .status")).to_have_text("awaiting payment")  # nothing changed
    page.get_by_label("Reason for voiding").fill("Sent to the wrong client")
    snapshot(page, "void-confirm")
    page.get_by_role("button", name="Void INV-00001").click()
    expect(page.locator(".flashes")).to_contain_text("INV-00001 voided.")
    expect(page.locator("h1 .status")).to_have_text("voided")
    expect(page.locator("table.bill-history tbody tr").last).to_contain_text("Sent to the wrong client")
    snapshot(page, "voided-bill")
