"""The GST summary on the cash basis in real Chromium: a client's payment counted in July is undone
from the bill's history in August; July's figures stay as they were and August shows the undo as a
negative adjustment."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

JULY = date(2026, 7, 1)


def _books(live_app):
    """Cash basis; a bill of 110.00 (GST 10.00) on 1 Jul, paid in full on 10 Jul; receive money of
    capital put in on 12 Jul."""
    from accounting.ledger.accounts import Account, AccountRole, account_for_role
    from accounting.ledger.practice import Basis, get_practice
    from accounting.ledger.tax import TaxCode
    from accounting.office.bank_transactions import BankTransactionKind, MoneyLine, record_bank_transaction
    from accounting.office.billing import approve_bill, create_bill, record_payment
    from accounting.office.bills import BillLineInput
    from accounting.parties.clients import ClientDetails, open_matter, save_client

    with live_app.app.app_context():
        s = live_app.session()
        get_practice(s).basis = Basis.CASH
        bank = account_for_role(s, AccountRole.OFFICE_BANK)
        fees = account_for_role(s, AccountRole.PROFESSIONAL_FEES)
        capital = s.query(Account).filter_by(code="3-1000").one()
        client = save_client(s, None, ClientDetails(kind="company", name="Acme Pty Ltd"))
        matter = open_matter(s, None, client, description="Lease", responsible_id=None, opened_on=JULY)
        bill = create_bill(s, None, matter_id=matter.id, date=JULY,
                           lines=[BillLineInput("Advice", Decimal("1"), Decimal("100.00"), fees.id)])
        approve_bill(s, None, bill)
        record_payment(s, None, bill.id, amount=Decimal("110.00"), date=date(2026, 7, 10),
                       bank_account_id=bank.id)
        record_bank_transaction(s, None, kind=BankTransactionKind.DEPOSIT, bank_account_id=bank.id,
                                date=date(2026, 7, 12), contact="Owner",
                                lines=[MoneyLine(capital.id, Decimal("5000.00"), TaxCode.GST_FREE)])
        s.commit()
        bill_id = bill.id
        s.remove()
    return bill_id


def _show(page, start, end):
    page.get_by_label("From").fill(start)
    page.get_by_label("To").fill(end)
    page.get_by_role("button", name="Show", exact=True).click()


def test_a_payment_undone_in_a_later_month_is_an_adjustment_there(page, sign_in, live_app):
    bill_id = _books(live_app)
    sign_in()
    page.goto("/reports/gst")
    _show(page, "2026-07-01", "2026-07-31")
    expect(page.locator("#g1")).to_have_text("110.00")
    expect(page.locator("#gst-1a")).to_have_text("10.00")
    sales = page.locator("section", has=page.get_by_role("heading", name="Sales: GST collected"))
    expect(sales.locator("tbody tr")).to_have_count(2)
    expect(sales.locator(".gst-excluded")).to_have_text(
        "5,000.00 BAS-excluded or not a sale (loan, capital or other account): left out")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gst-cash-july.png"), full_page=True)

    page.goto(f"/billing/{bill_id}")
    page.get_by_text("Undo payment").click()
    row = page.locator("tr.event-payment")
    row.get_by_label("Date of the correction").fill("2026-08-05")
    row.get_by_label("Reason").fill("Cheque dishonoured")
    row.get_by_role("button", name="Undo 110.00").click()
    expect(page.locator(".flashes")).to_contain_text("Payment undone")

    page.goto("/reports/gst")
    _show(page, "2026-08-01", "2026-08-31")
    expect(page.locator("#g1")).to_have_text("-110.00")
    expect(page.locator("#gst-1a")).to_have_text("-10.00")
    expect(page.locator("#net-gst")).to_have_text("10.00")
    expect(page.locator("table.gst-summary tfoot")).to_contain_text("Net GST refundable")
    adjustment = page.locator("tr.gst-adjustment")
    expect(adjustment).to_have_count(1)
    expect(adjustment).to_contain_text("Payment received undone")
    expect(adjustment.locator(".status-adjustment")).to_have_text("adjustment")
    expect(page.locator("#gst-adjustments")).to_contain_text("1 entry undoes in this period")
    page.screenshot(path=str(ARTIFACTS / "gst-cash-august-adjustment.png"), full_page=True)

    _show(page, "2026-07-01", "2026-07-31")
    expect(page.locator("#gst-1a")).to_have_text("10.00")
    expect(page.locator("tr.gst-adjustment")).to_have_count(0)
