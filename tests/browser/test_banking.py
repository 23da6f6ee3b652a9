"""Banking in real Chromium: receive money with htmx lines and live totals, spend money, a
transfer, and a statement imported, matched and reconciled."""

import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS


def snapshot(page, name):
    """A screenshot of a step worth looking at, besides the last state the fixture saves."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"banking-{name}.png"), full_page=True)


def add_savings_account(live_app):
    from accounting.ledger.accounts import Account, AccountType

    with live_app.app.app_context():
        session = live_app.session()
        session.add(Account(code="1-1050", name="Office Savings", type=AccountType.BANK, is_bank=True))
        session.commit()
        session.remove()


def test_receive_money_spend_money_and_transfer(page, sign_in, live_app):
    add_savings_account(live_app)
    sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Banking").click()
    page.get_by_role("link", name="Receive money").click()
    page.get_by_label("Bank account").select_option(label="1-1000 Office Cheque Account")
    page.get_by_label("Received from").fill("Smith & Co")
    page.get_by_label("Line 1 description").fill("Consulting fees")
    page.get_by_label("Line 1 account").select_option(label="4-1000 Professional Fees")
    page.get_by_label("Line 1 amount").fill("1,000.00")
    totals = page.locator("#money-totals")
    expect(totals.locator(".total")).to_have_text("1,100.00")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Line 2 description")).to_be_focused()
    expect(page.get_by_label("Line 1 amount")).to_have_value("1,000.00")
    page.get_by_label("Line 2 description").fill("Interest")
    page.get_by_label("Line 2 account").select_option(label="4-3000 Interest Income")
    page.get_by_label("Line 2 amount").fill("5.55")
    page.get_by_label("Line 2 tax").select_option(label="GST-free")
    expect(totals.locator(".gst")).to_have_text("100.00")
    expect(totals.locator(".total")).to_have_text("1,105.55")
    snapshot(page, "deposit-form")
    page.get_by_role("button", name="Record deposit").click()
    expect(page).to_have_url(re.compile(r"/banking/transactions/\d+$"))
    expect(page.locator(".flashes")).to_contain_text("DEP-00001 recorded.")

    page.goto("/banking/")
    page.get_by_role("link", name="Spend money").click()
    page.get_by_label("Bank account").select_option(label="1-1000 Office Cheque Account")
    page.get_by_label("Paid to").fill("Landlord Pty Ltd")
    page.get_by_label("Line 1 description").fill("July rent")
    page.get_by_label("Line 1 account").select_option(label="6-2000 Rent")
    page.get_by_label("Line 1 amount").fill("abc")
    expect(page.locator("#money-totals")).to_contain_text("Check the amounts")
    page.get_by_role("button", name="Record withdrawal").click()
    expect(page.locator("#lines-0-amount-error")).to_contain_text("is not an amount")
    snapshot(page, "withdrawal-error")
    page.get_by_label("Line 1 amount").fill("500")
    page.get_by_role("button", name="Record withdrawal").click()
    expect(page.locator(".flashes")).to_contain_text("WDL-00001 recorded.")
    expect(page.locator("tfoot")).to_contain_text("550.00")

    page.goto("/banking/")
    page.get_by_role("link", name="Transfer money").click()
    page.get_by_label("From").select_option(label="1-1000 Office Cheque Account")
    page.get_by_label("To").select_option(label="1-1000 Office Cheque Account")
    page.get_by_label("Amount").fill("200")
    page.get_by_role("button", name="Record transfer").click()
    expect(page.locator("#to_account-error")).to_contain_text("two different bank accounts")
    page.get_by_label("To").select_option(label="1-1050 Office Savings")
    page.get_by_role("button", name="Record transfer").click()
    expect(page.locator(".flashes")).to_contain_text("Transfer TRF-00001")
    accounts = page.locator("table.bank-accounts")
    expect(accounts.locator("tr", has_text="1-1000")).to_contain_text("355.55")  # 1105.55 - 550 - 200
    expect(accounts.locator("tr", has_text="1-1050")).to_contain_text("200.00")
    snapshot(page, "index")
    page.get_by_role("link", name="1-1000 Office Cheque Account").click()
    expect(page.locator("table.bank-register tbody tr").last).to_contain_text("355.55")


def test_import_a_statement_match_it_and_reconcile(page, sign_in, live_app, tmp_path):
    from accounting.ledger.accounts import Account
    from accounting.ledger.tax import TaxCode
    from accounting.office.bank_transactions import MoneyLine, record_bank_transaction

    with live_app.app.app_context():
        session = live_app.session()
        bank = session.query(Account).filter_by(code="1-1000").one()
        fees = session.query(Account).filter_by(code="4-1000").one()
        rent = session.query(Account).filter_by(code="6-2000").one()
        record_bank_transaction(session, None, kind="deposit", bank_account_id=bank.id,
                                date=date(2026, 7, 20),
                                contact="Smith", lines=[MoneyLine(fees.id, Decimal("1000.00"), TaxCode.GST)])
        record_bank_transaction(session, None, kind="withdrawal", bank_account_id=bank.id,
                                date=date(2026, 7, 21), contact="Landlord",
                                lines=[MoneyLine(rent.id, Decimal("500.00"), TaxCode.GST)])
        session.commit()
        session.remove()
    statement = tmp_path / "july.csv"
    statement.write_text("Date,Description,Amount\n20/07/2026,DEPOSIT SMITH,1100.00\n"
                         "22/07/2026,RENT JULY,-550.00\n")
    sign_in()
    page.goto("/banking/")
    page.get_by_role("link", name="Reconcile").click()
    page.get_by_label("Statement file (CSV or OFX)").set_input_files(str(statement))
    page.get_by_role("button", name="Import statement").click()
    expect(page.locator(".flashes")).to_contain_text("2 statement lines imported.")
    rows = page.locator("table.statement-lines tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_role("button", name="Accept suggestion").click()
    expect(page.locator(".recon-summary .matched")).to_have_text("1,100.00")
    page.get_by_label("Statement closing balance").fill("550.00")
    page.get_by_role("button", name="Save reconciliation").click()
    expect(page.locator("#closing_balance-error")).to_contain_text("does not balance")
    snapshot(page, "reconcile-unbalanced")
    second = page.locator("table.statement-lines tbody tr").nth(1)
    second.get_by_role("button", name="Accept suggestion").click()
    expect(page.locator(".recon-summary .matched")).to_have_text("550.00")
    page.get_by_label("Statement closing date").fill("2026-07-31")
    page.get_by_label("Statement closing balance").fill("550.00")
    page.get_by_role("button", name="Save reconciliation").click()
    expect(page.locator(".flashes")).to_contain_text("Reconciled to 31 Jul 2026.")
    expect(page.locator(".statement-balance")).to_have_text("550.00")
    expect(page.locator(".book-balance")).to_have_text("550.00")
    expect(page.locator(".difference")).to_have_text("0.00")
