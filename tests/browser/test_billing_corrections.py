"""Corrections in real Chromium: a payment undone from a bill's history (a bad date first), a
credit application undone and the credit note voided, a supplier payment undone, and the matter
page leading to its bill."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

JULY = date(2026, 7, 1)


def _books(live_app):
    """A client with a matter, a paid bill and an applied credit note; a supplier invoice paid."""
    from accounting.ledger.accounts import AccountRole, account_for_role
    from accounting.office.billing import approve_bill, create_bill, record_payment
    from accounting.office.bills import BillLineInput
    from accounting.office.credit_notes import apply_credit, create_credit_note
    from accounting.office.supplier_invoices import (
        InvoiceDetails,
        InvoiceLineInput,
        approve_invoice,
        create_invoice,
        pay_invoice,
    )
    from accounting.office.suppliers import SupplierDetails, save_supplier
    from accounting.parties.clients import ClientDetails, open_matter, save_client

    with live_app.app.app_context():
        s = live_app.session()
        bank = account_for_role(s, AccountRole.OFFICE_BANK)
        fees = account_for_role(s, AccountRole.PROFESSIONAL_FEES)
        client = save_client(s, None, ClientDetails(kind="company", name="Acme Pty Ltd"))
        matter = open_matter(s, None, client, description="Lease of Unit 4", responsible_id=None,
                             opened_on=JULY)
        paid = create_bill(s, None, matter_id=matter.id, date=JULY,
                           lines=[BillLineInput("Advice", Decimal("1"), Decimal("100.00"), fees.id)])
        approve_bill(s, None, paid)
        record_payment(s, None, paid.id, amount=Decimal("110.00"), date=JULY, bank_account_id=bank.id)
        credited = create_bill(s, None, matter_id=matter.id, date=JULY,
                               lines=[BillLineInput("Search", Decimal("1"), Decimal("50.00"), fees.id)])
        approve_bill(s, None, credited)
        note = create_credit_note(s, None, client_id=client.id, date=JULY,
                                  lines=[BillLineInput("Goodwill", Decimal("1"), Decimal("20.00"), fees.id)])
        apply_credit(s, None, note.id, date=JULY, amounts={credited.id: Decimal("22.00")})
        supplier = save_supplier(s, None, SupplierDetails(name="Officeworks"))
        invoice = create_invoice(s, None, InvoiceDetails(supplier.id, "OW-1", JULY, JULY, [
            InvoiceLineInput("Paper", Decimal("100.00"), _expense(s), False)]))
        approve_invoice(s, None, invoice)
        pay_invoice(s, None, invoice.id, bank_account_id=bank.id, date=JULY, amount=Decimal("110.00"))
        s.commit()
        ids = {"matter": matter.id, "paid": paid.id, "note": note.id, "invoice": invoice.id}
        s.remove()
    return ids


def _expense(session):
    from accounting.office.suppliers import expense_accounts

    return next(a.id for a in expense_accounts(session) if a.code == "6-2400")


def test_a_payment_is_undone_and_a_credit_note_voided_in_the_browser(page, sign_in, live_app):
    ids = _books(live_app)
    sign_in("staff@example.com")
    page.goto(f"/matters/{ids['matter']}")
    expect(page.locator("#bills tbody tr")).to_have_count(2)
    page.get_by_role("link", name="INV-00001").click()
    expect(page.locator("h1 .status")).to_have_text("paid")

    page.get_by_text("Undo payment").click()
    row = page.locator("tr.event-payment")
    row.get_by_label("Date of the correction").fill("2026-06-30")
    row.get_by_label("Reason").fill("Cheque bounced")
    row.get_by_role("button", name="Undo 110.00").click()
    row = page.locator("tr.event-payment")
    expect(row.locator(".error")).to_contain_text("cannot be dated before the payment (01 Jul 2026)")
    expect(row.get_by_label("Reason")).to_have_value("Cheque bounced")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "corrections-undo-refused.png"), full_page=True)
    row.get_by_label("Date of the correction").fill("2026-07-09")
    row.get_by_role("button", name="Undo 110.00").click()
    expect(page.locator(".flashes")).to_contain_text("Payment undone on INV-00001: 110.00 is owed again.")
    expect(page.locator("h1 .status")).to_have_text("awaiting payment")
    expect(page.locator("tfoot .owed")).to_have_text("110.00")
    expect(page.locator("table.bill-history tbody tr").last).to_contain_text("Payment undone")
    page.screenshot(path=str(ARTIFACTS / "corrections-bill-history.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "history-INV-00001.csv"

    page.goto(f"/billing/credit-notes/{ids['note']}")
    expect(page.locator("#void")).to_contain_text("undo its application to INV-00002 (22.00) first")
    page.get_by_role("link", name="Undo on INV-00002").click()
    page.get_by_text("Undo credit").click()
    row = page.locator("tr.event-credit")
    row.get_by_label("Date of the correction").fill("2026-07-02")
    row.get_by_label("Reason").fill("Applied to the wrong bill")
    row.get_by_role("button", name="Undo 22.00").click()
    expect(page.locator("tfoot .owed")).to_have_text("55.00")
    page.get_by_role("link", name="CN-00001").first.click()
    void = page.locator("#void")
    void.get_by_label("Date of the correction").fill("2026-07-02")
    void.get_by_label("Reason").fill("Issued in error")
    void.get_by_role("button", name="Void CN-00001").click()
    expect(page.locator("h1 .status")).to_have_text("voided")
    page.screenshot(path=str(ARTIFACTS / "corrections-credit-note-voided.png"), full_page=True)


def test_a_supplier_payment_is_undone_in_the_browser(page, sign_in, live_app):
    ids = _books(live_app)
    sign_in("staff@example.com")
    page.goto(f"/suppliers/invoices/{ids['invoice']}")
    expect(page.locator(".invoice-status .status")).to_have_text("paid")
    page.get_by_text("Undo payment").click()
    row = page.locator("#history tbody tr").nth(1)
    row.get_by_label("Date of the correction").fill("2026-07-03")
    row.get_by_label("Reason").fill("Paid twice")
    row.get_by_role("button", name="Undo 110.00").click()
    expect(page.locator(".flashes")).to_contain_text("Payment undone")
    expect(page.locator(".invoice-status .status")).to_have_text("awaiting payment")
    expect(page.locator("#history tbody tr").last).to_contain_text("Payment SP-00001 undone")
    expect(page.locator("#pay")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "corrections-supplier-undone.png"), full_page=True)
