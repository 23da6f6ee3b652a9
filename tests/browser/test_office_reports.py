"""Aged receivables and the GST summary in real Chromium: change the as-at date, open a client's
bills in place, download the CSV, and read the GST summary of a quarter."""

import csv
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS


def _office_books(live_app):
    """Two clients' bills (one part paid), a supplier invoice; all in July to October 2026."""
    from accounting.ledger.accounts import Account
    from accounting.ledger.tax import TaxCode
    from accounting.office import billing
    from accounting.office.bills import BillLineInput
    from accounting.office.supplier_invoices import (
        InvoiceDetails,
        InvoiceLineInput,
        approve_invoice,
        create_invoice,
    )
    from accounting.office.suppliers import SupplierDetails, save_supplier
    from accounting.parties.clients import ClientDetails, open_matter, save_client
    from extensions import db

    with live_app.app.app_context():
        s = db.session
        code = {a.code: a.id for a in s.query(Account)}
        clients = {name: save_client(s, None, ClientDetails(kind="company", name=name))
                   for name in ("Acme Pty Ltd", "Beta Legal")}
        for name, rate, on, due in [("Acme Pty Ltd", "1000.00", date(2026, 7, 1), date(2026, 7, 31)),
                                    ("Beta Legal", "250.00", date(2026, 9, 20), date(2026, 10, 20)),
                                    ("Acme Pty Ltd", "400.00", date(2026, 10, 5), date(2026, 11, 4))]:
            matter = open_matter(s, None, clients[name], description="Advice", responsible_id=None,
                                 opened_on=on)
            bill = billing.create_bill(s, None, matter_id=matter.id, date=on, due_date=due, lines=[
                BillLineInput("Advice", Decimal("1"), Decimal(rate), code["4-1000"], TaxCode.GST)])
            billing.approve_bill(s, None, bill)
            if rate == "1000.00":
                billing.record_payment(s, None, bill.id, amount=Decimal("500.00"), date=date(2026, 8, 10),
                                       bank_account_id=code["1-1000"])
        supplier = save_supplier(s, None, SupplierDetails(name="Officeworks"))
        invoice = create_invoice(s, None, InvoiceDetails(supplier.id, "OW-77", date(2026, 8, 3),
                                                         date(2026, 9, 2), [InvoiceLineInput(
                                                             "Paper", Decimal("80.00"), code["6-2400"])]))
        approve_invoice(s, None, invoice)
        s.commit()
        db.session.remove()


def test_aged_receivables_change_the_date_open_a_client_and_download_the_csv(page, sign_in, live_app):
    _office_books(live_app)
    sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Aged receivables").click()
    page.get_by_label("As at").fill("2026-10-31")
    page.get_by_role("button", name="Show", exact=True).click()
    table = page.locator("table.aged")
    acme = table.locator("tbody tr", has_text="Acme Pty Ltd").first
    expect(acme).to_contain_text("440.00")      # current: the October bill
    expect(acme).to_contain_text("600.00")      # 61-90 days: what is left of the July bill
    expect(table.locator("tfoot")).to_contain_text("1,315.00")
    expect(page.locator("p.ledger-check")).to_contain_text("1,315.00 agrees")

    page.get_by_label("As at").fill("2026-08-31")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(live_app.url + "/reports/aged-receivables?as_at=2026-08-31")
    expect(table.locator("tbody tr", has_text="Beta Legal")).to_have_count(0)
    expect(table.locator("tfoot")).to_contain_text("600.00")
    expect(page.locator("p.ledger-check")).to_contain_text("600.00 agrees")

    page.get_by_role("button", name="Show the documents of Acme Pty Ltd").click()
    detail = page.locator("td.aged-host table")
    expect(detail).to_contain_text("INV-00001")
    expect(detail).to_contain_text("31–60 days")
    page.screenshot(path=str(ARTIFACTS / "aged-receivables-expanded.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "aged-receivables-2026-08-31.csv"
    path = ARTIFACTS / download.suggested_filename
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(path)
    with path.open() as saved:
        rows = list(csv.reader(saved))
    assert rows[-1] == ["Total", "0.00", "0.00", "600.00", "0.00", "0.00", "600.00"]

    page.get_by_label("As at").fill("2026-10-31")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("p.ledger-check")).to_contain_text("agrees")
    page.emulate_media(media="print")
    expect(page.locator("form.report-filters")).to_be_hidden()
    expect(page.get_by_role("link", name="Download CSV")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "aged-receivables-print.png"), full_page=True)
    page.emulate_media(media="screen")


def test_gst_summary_for_a_quarter_lists_its_documents(page, sign_in, live_app):
    _office_books(live_app)
    sign_in()
    page.goto("/reports/")
    page.get_by_role("link", name="GST summary").click()
    page.get_by_label("From").fill("2026-07-01")
    page.get_by_label("To").fill("2026-09-30")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#g1")).to_have_text("1,375.00")
    expect(page.locator("#gst-1a")).to_have_text("125.00")
    expect(page.locator("#g11")).to_have_text("88.00")
    expect(page.locator("#gst-1b")).to_have_text("8.00")
    expect(page.locator("#net-gst")).to_have_text("117.00")
    expect(page.locator("p.ledger-check")).to_contain_text("agrees")
    sales = page.locator("section", has=page.get_by_role("heading", name="Sales: GST collected"))
    expect(sales.locator("tbody tr")).to_have_count(2)
    purchases = page.locator("section", has=page.get_by_role("heading", name="Purchases: GST paid"))
    page.screenshot(path=str(ARTIFACTS / "gst-summary.png"), full_page=True)
    purchases.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("SI-")
    page.go_back()

    page.get_by_label("From").fill("2026-10-01")
    page.get_by_label("To").fill("2026-07-01")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#start-error")).to_contain_text("starts after it ends")
