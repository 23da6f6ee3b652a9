"""The whole trust flow in real Chromium, ending in the monthly three-way reconciliation:

receipt -> trust-to-office payment of a bill -> trust journal -> the reports -> import the bank
statement -> match it -> reconcile the month -> sign off -> a receipt dated in that month is refused.
"""

import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from accounting.ledger.accounts import Account
from accounting.ledger.tax import TaxCode
from accounting.office.billing import approve_bill, create_bill
from accounting.office.bills import BillLineInput
from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.trust.accounts import ensure_default_trust_account
from accounting.trust.ledger import TrustTransaction
from accounting.trust.posting import record_receipt
from tests.browser.conftest import ARTIFACTS

# The month reconciled must have ended: the last full month before today.
TODAY = date.today()
MONTH_END = TODAY.replace(day=1).fromordinal(TODAY.replace(day=1).toordinal() - 1)
MONTH = MONTH_END.replace(day=1)


def day(n: int) -> str:
    return MONTH.replace(day=n).isoformat()


def snapshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"trust-reports-{name}.png"), full_page=True)


def setup_books(live_app):
    """Acme (a posted bill of 1,100.00 incl. GST) and Bo Smith (a receipt at the month's end)."""
    with live_app.app.app_context():
        session = live_app.session()
        account = ensure_default_trust_account(session)
        fees = session.query(Account).filter_by(code="4-1000").one()
        acme = save_client(session, None, ClientDetails(kind="company", name="Acme Pty Ltd"))
        bo = save_client(session, None, ClientDetails(kind="individual", name="Bo Smith"))
        lease = open_matter(session, None, acme, description="Lease of Unit 4", responsible_id=None,
                            opened_on=MONTH)
        estate = open_matter(session, None, bo, description="Estate of J Smith", responsible_id=None,
                             opened_on=MONTH)
        bill = create_bill(session, None, matter_id=lease.id, date=MONTH, lines=[
            BillLineInput("Advice on the lease", Decimal("1"), Decimal("1000.00"), fees.id, TaxCode.GST)])
        approve_bill(session, None, bill)
        record_receipt(session, None, trust_account_id=account.id, matter_id=estate.id,
                       date=MONTH_END, amount=Decimal("250.00"), payer="Bo Smith", method="cheque")
        session.commit()
        labels = (f"{lease.number} — Acme Pty Ltd — Lease of Unit 4",
                  f"{estate.number} — Bo Smith — Estate of J Smith", lease.number, bill.number)
        session.remove()
    return labels


def test_receipt_transfer_journal_statement_match_reconcile_sign_off_and_the_period_is_locked(
        page, sign_in, live_app):
    lease, estate, lease_number, bill_number = setup_books(live_app)
    sign_in()

    # 1. A receipt of 5,000.00 into trust for the lease.
    page.goto("/trust/receipts/new")
    page.get_by_label("Matter", exact=True).select_option(label=lease)
    expect(page.get_by_label("Received from")).to_have_value("Acme Pty Ltd")
    page.get_by_label("Date", exact=True).fill(day(2))
    page.get_by_label("Amount").fill("5,000.00")
    page.get_by_role("button", name="Record receipt").click()
    expect(page.locator(".flashes")).to_contain_text("Receipt R-000002 recorded.")

    # 2. Trust to office: pay the bill (1,100.00) from the lease's trust money.
    page.goto("/trust/transfers/new")
    page.get_by_label("Matter").select_option(label=f"{lease_number} Acme Pty Ltd — 5,000.00 in trust")
    expect(page.get_by_label("Amount")).to_have_value("1100.00")
    page.get_by_label("Date", exact=True).fill(day(5))
    page.get_by_label("Client's authority").fill("Costs agreement clause 9")
    page.get_by_role("button", name="Transfer and pay the bill").click()
    expect(page.locator(".flashes")).to_contain_text(re.compile(r"T-000001 .*1,100\.00"))

    # 3. A trust journal of 500.00 from the lease to the estate.
    page.goto("/trust/journals/new")
    page.get_by_label("From matter").select_option(label=lease)
    page.get_by_label("To matter").select_option(label=estate)
    page.get_by_label("Date", exact=True).fill(day(6))
    page.get_by_label("Amount").fill("500.00")
    page.get_by_label("Authority reference").fill("Client email")
    page.get_by_label("Description").fill("Estate costs")
    page.get_by_role("button", name="Record trust journal").click()
    expect(page.locator(".flashes")).to_contain_text("Trust journal J-000001 recorded.")

    # 4. The reports: the lease's ledger, the cash book and the trust trial balance.
    page.goto("/trust/")
    page.get_by_role("link", name=re.compile("^Reports and reconciliation")).click()
    page.get_by_role("link", name=re.compile(f"^{lease_number}")).first.click()
    page.get_by_label("From").fill(day(1))
    page.get_by_label("To").fill(MONTH_END.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.trust-ledger tfoot")).to_contain_text("3,400.00")
    expect(page.locator("table.trust-ledger tbody")).to_contain_text("T-000001")
    snapshot(page, "matter-ledger")
    page.goto("/trust/reports/")
    page.get_by_role("link", name="Trust cash book").first.click()
    page.get_by_label("From").fill(day(1))
    page.get_by_label("To").fill(MONTH_END.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".cash-book-summary .closing")).to_have_text("4,150.00")
    expect(page.locator("table.payments-journal")).to_contain_text("T-000001")
    snapshot(page, "cash-book")
    page.goto("/trust/reports/")
    page.get_by_role("link", name="Trust trial balance").first.click()
    page.get_by_label("As at").fill(MONTH_END.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".trust-trial-balance .total")).to_have_text("4,150.00")
    expect(page.locator(".trust-position .agreement")).to_contain_text("agrees")
    snapshot(page, "trial-balance")

    # 5. The bank statement: the receipt, and the transfer cleared two days later; Bo's cheque of the
    # month's last day is not on it yet. First with a wrong closing balance: refused with the difference.
    page.goto("/trust/reports/")
    page.get_by_role("link", name="Three-way reconciliation").first.click()
    page.get_by_label("Month").fill(MONTH_END.strftime("%Y-%m"))
    page.get_by_role("button", name="Show").click()
    statement = (f"Date,Description,Amount\n{day(2)},Deposit Acme,5000.00\n"
                 f"{day(7)},Transfer to office,-1100.00\n").encode()
    page.get_by_label("Opening balance").fill("0.00")
    page.get_by_label("Closing balance").fill("3,800.00")
    page.get_by_label("Statement file (CSV or OFX)").set_input_files(
        {"name": "statement.csv", "mimeType": "text/csv", "buffer": statement})
    page.get_by_role("button", name="Keep statement").click()
    expect(page.locator("#closing_balance-error")).to_contain_text("a difference of -100.00")
    snapshot(page, "statement-refused")
    page.get_by_label("Closing balance").fill("3,900.00")
    page.get_by_label("Statement file (CSV or OFX)").set_input_files(
        {"name": "statement.csv", "mimeType": "text/csv", "buffer": statement})
    page.get_by_role("button", name="Keep statement").click()
    expect(page.locator(".flashes")).to_contain_text("Statement kept: 2 lines")

    # 6. Match: the deposit by the exact suggestion, the transfer (a later date) by accepting it.
    expect(page.get_by_role("button", name="Complete and sign off")).to_be_disabled()
    page.get_by_role("button", name="Match all exact suggestions").click()
    expect(page.locator("tr.matched")).to_have_count(1)
    page.get_by_role("button", name="Accept suggestion").click()
    expect(page.locator("tr.matched")).to_have_count(2)

    # 7. The month reconciles: statement 3,900.00 + unpresented 250.00 = 4,150.00 = cash book = ledgers.
    expect(page.locator(".three-way .adjusted")).to_have_text("4,150.00")
    expect(page.locator(".three-way .cash-book")).to_have_text("4,150.00")
    expect(page.locator(".three-way .ledgers")).to_have_text("4,150.00")
    expect(page.locator(".unpresented-deposits")).to_contain_text("R-000001")
    expect(page.locator(".trust-three-way .agreement")).to_contain_text("agrees")
    snapshot(page, "reconcile")

    # 8. Sign off.
    page.get_by_label("Comment (optional)").fill("Bank, cash book and ledgers agree")
    page.get_by_role("button", name="Complete and sign off").click()
    expect(page.locator(".flashes")).to_contain_text(f"reconciled to {MONTH_END:%d %b %Y} and signed off")
    expect(page.locator(".signed-off-by")).to_have_text("Ada Admin")
    expect(page.locator(".three-way .adjusted")).to_have_text("4,150.00")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    snapshot(page, "signed-off-print")
    page.emulate_media(media="screen")
    snapshot(page, "signed-off")

    # 9. A receipt dated in the reconciled month is refused, and nothing is recorded.
    page.goto("/trust/receipts/new")
    page.get_by_label("Matter", exact=True).select_option(label=lease)
    page.get_by_label("Date", exact=True).fill(day(20))
    page.get_by_label("Amount").fill("10.00")
    page.get_by_role("button", name="Record receipt").click()
    expect(page.locator("#date-error")).to_contain_text(f"reconciled to {MONTH_END:%d %b %Y}")
    snapshot(page, "receipt-refused")
    page.goto("/trust/reports/")
    expect(page.locator(".completed-reconciliations")).to_contain_text(MONTH_END.strftime("%B %Y"))
    snapshot(page, "index")
    with live_app.app.app_context():
        assert live_app.session().query(TrustTransaction).count() == 4
        live_app.session().remove()


def test_staff_prepare_the_reconciliation_but_only_an_admin_signs_it_off(page, sign_in, live_app):
    setup_books(live_app)
    sign_in("staff@example.com")
    page.goto("/trust/reports/")
    page.get_by_role("link", name="Three-way reconciliation").first.click()
    page.get_by_label("Month").fill(MONTH_END.strftime("%Y-%m"))
    page.get_by_role("button", name="Show").click()
    page.get_by_label("Opening balance").fill("0.00")
    page.get_by_label("Closing balance").fill("250.00")
    page.get_by_label("Or type the lines").fill(f"{MONTH_END.isoformat()}, Cheque Bo Smith, 250.00")
    page.get_by_role("button", name="Keep statement").click()
    expect(page.locator(".flashes")).to_contain_text("Statement kept: 1 lines")
    page.get_by_role("button", name="Match all exact suggestions").click()
    expect(page.locator("tr.matched")).to_have_count(1)
    expect(page.locator(".trust-three-way .agreement")).to_contain_text("agrees")
    # The three agree, yet staff cannot sign: the button is disabled and the page says who can.
    sign = page.get_by_role("button", name="Complete and sign off")
    expect(sign).to_be_disabled()
    expect(page.locator("#sign-off-admins-only")).to_contain_text("Only an admin (the principal) can")
    snapshot(page, "staff-cannot-sign")
    page.context.clear_cookies()
    sign_in()
    page.goto("/trust/reports/")
    page.get_by_role("link", name="Three-way reconciliation").first.click()
    page.get_by_label("Month").fill(MONTH_END.strftime("%Y-%m"))
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#sign-off-admins-only")).to_have_count(0)
    page.get_by_role("button", name="Complete and sign off").click()
    expect(page.locator(".flashes")).to_contain_text(f"reconciled to {MONTH_END:%d %b %Y} and signed off")
    expect(page.locator(".signed-off-by")).to_have_text("Ada Admin")


def test_the_trust_ledger_of_an_account_prints_every_client_ledger(page, sign_in, live_app):
    lease, estate, lease_number, bill_number = setup_books(live_app)
    sign_in()
    page.goto("/trust/reports/")
    page.get_by_role("link", name="Trust ledger").first.click()
    page.get_by_label("From").fill(MONTH.isoformat())
    page.get_by_label("To").fill(MONTH_END.isoformat())
    page.get_by_role("button", name="Show").click()
    totals = page.locator("table.trust-ledger-totals tbody tr")
    expect(totals).to_have_count(1)
    expect(totals.first).to_contain_text("Bo Smith")
    expect(page.locator(".trust-ledger-totals .total-closing")).to_have_text("250.00")
    expect(page.locator(".matter-ledger table.trust-ledger tbody tr")).to_have_count(2)  # opening, receipt
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.emulate_media(media="print")
    snapshot(page, "trust-ledger-print")
    page.emulate_media(media="screen")
    page.get_by_label("To").fill("2000-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#from-error")).to_contain_text("before it starts")
