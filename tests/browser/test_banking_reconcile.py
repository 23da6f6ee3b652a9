"""Bank reconciliation in real Chromium: a statement imported, a duplicate line deleted, one
deposit matched to the two receipts it holds (ticked totals from the server), reconciled, and the
reconciliation undone by the admin."""

import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS


def snapshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"banking-reconcile-{name}.png"), full_page=True)


def two_receipts(live_app):
    from accounting.ledger.accounts import Account
    from accounting.ledger.tax import TaxCode
    from accounting.office.bank_transactions import MoneyLine, record_bank_transaction

    with live_app.app.app_context():
        session = live_app.session()
        bank = session.query(Account).filter_by(code="1-1000").one()
        fees = session.query(Account).filter_by(code="4-1000").one()
        for contact, amount in (("Smith", "100.00"), ("Jones", "200.00")):
            record_bank_transaction(session, None, kind="deposit", bank_account_id=bank.id,
                                    date=date(2026, 7, 20), contact=contact,
                                    lines=[MoneyLine(fees.id, Decimal(amount), TaxCode.GST_FREE)])
        session.commit()
        session.remove()


def test_match_one_deposit_to_two_receipts_reconcile_and_undo(page, sign_in, live_app, tmp_path):
    two_receipts(live_app)
    statement = tmp_path / "july.csv"
    statement.write_text("Date,Description,Amount\n21/07/2026,DEPOSIT 2 CHEQUES,300.00\n"
                         "22/07/2026,BANK FEE,-12.50\n22/07/2026,BANK FEE,-12.50\n")
    sign_in()
    page.goto("/banking/")
    page.get_by_role("link", name="Reconcile").click()
    page.get_by_label("Statement file (CSV or OFX)").set_input_files(str(statement))
    page.get_by_role("button", name="Import statement").click()
    expect(page.locator(".flashes")).to_contain_text("3 statement lines imported.")

    # The same file again is refused: every line is already there.
    page.get_by_label("Statement file (CSV or OFX)").set_input_files(str(statement))
    page.get_by_role("button", name="Import statement").click()
    expect(page.locator("#statement-error")).to_contain_text("Every line of july.csv (3) is already imported")

    # One of the two bank fees was a mistake at the bank's end of the export: delete it.
    page.goto(page.url.replace("/statement", "/reconcile"))
    page.get_by_role("link", name="Delete statement line 22 Jul 2026 BANK FEE -12.50").first.click()
    page.get_by_role("button", name="Delete statement line").click()
    expect(page.locator("#reason-error")).to_contain_text("Give the reason")
    snapshot(page, "delete-line")
    page.get_by_label("Reason").fill("Listed twice in the export")
    page.get_by_role("button", name="Delete statement line").click()
    expect(page.locator(".flashes")).to_contain_text("BANK FEE -12.50 deleted.")
    expect(page.locator("table.statement-lines tbody tr")).to_have_count(2)

    # Tick the deposit and one receipt: the server shows the difference; matching is refused.
    page.get_by_label("Tick statement line 21 Jul 2026 DEPOSIT 2 CHEQUES 300.00").check()
    expect(page.locator(".ticked-statement")).to_have_text("300.00")
    page.get_by_label(re.compile(r"Tick book entry .* 100\.00")).check()
    expect(page.locator(".ticked-difference")).to_have_text("200.00")
    page.get_by_role("button", name="Match ticked lines").click()
    expect(page.locator("#reconcile-workspace .form-errors")).to_contain_text(
        "The amounts differ: the statement shows 300.00, the book entry 100.00.")
    snapshot(page, "refused")
    page.get_by_label("Tick statement line 21 Jul 2026 DEPOSIT 2 CHEQUES 300.00").check()
    page.get_by_label(re.compile(r"Tick book entry .* 100\.00")).check()
    page.get_by_label(re.compile(r"Tick book entry .* 200\.00")).check()
    expect(page.locator(".ticked-difference")).to_have_text("0.00")
    snapshot(page, "ticked")
    page.get_by_role("button", name="Match ticked lines").click()
    deposit_row = page.locator("table.statement-lines tbody tr", has_text="DEPOSIT 2 CHEQUES")
    expect(deposit_row.locator(".matched-entry")).to_have_text(["DEP-00001 · 20 Jul 2026 · 100.00",
                                                                "DEP-00002 · 20 Jul 2026 · 200.00"])
    expect(page.locator(".recon-summary .matched")).to_have_text("300.00")
    expect(page.get_by_text("Every book entry is matched or reconciled.")).to_be_visible()
    snapshot(page, "matched")

    page.get_by_label("Statement closing date").fill("2026-07-21")
    page.get_by_label("Statement closing balance").fill("300.00")
    page.get_by_role("button", name="Save reconciliation").click()
    expect(page.locator(".flashes")).to_contain_text("Reconciled to 21 Jul 2026.")
    expect(page.locator(".difference")).to_have_text("0.00")
    expect(page.locator("table.statement-lines")).to_contain_text("DEP-00001, DEP-00002")

    page.get_by_role("button", name="Undo reconciliation").click()
    expect(page.locator("#reason-error")).to_contain_text("Give the reason")
    page.get_by_label("Reason").fill("Closing balance misread")
    snapshot(page, "undo-form")
    page.get_by_role("button", name="Undo reconciliation").click()
    expect(page.locator(".flashes")).to_contain_text("The reconciliation to 21 Jul 2026 is undone")
    expect(page.locator("table.recon-history .status-undone")).to_have_text("undone")
    expect(deposit_row.locator(".matched-entry")).to_have_count(2)  # the match is kept
    expect(page.locator(".recon-summary .opening")).to_have_text("0.00")
    snapshot(page, "undone")
