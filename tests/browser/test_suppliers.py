"""Supplier bills in real Chromium: a supplier, an invoice with htmx lines and live totals,
approval, a part payment and the final payment that marks it paid."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS


def snapshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"suppliers-{name}.png"), full_page=True)


def test_supplier_invoice_approve_and_pay_until_paid(page, sign_in):
    sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Suppliers").click()
    page.get_by_role("link", name="New supplier").click()
    page.get_by_label("Name").fill("Officeworks")
    page.get_by_label("ABN").fill("51 824 753 556")
    page.get_by_label("Default expense account").select_option(label="6-2400 Office Supplies")
    page.get_by_role("button", name="Save supplier").click()
    expect(page.locator(".flashes")).to_contain_text("Supplier Officeworks added.")
    page.get_by_label("Search suppliers").fill("office")
    expect(page.locator(".suppliers-table")).to_contain_text("51 824 753 556")

    page.get_by_role("link", name="Enter invoice").click()
    expect(page.get_by_label("Supplier", exact=True)).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Supplier's invoice number").fill("OW-1001")
    page.get_by_label("Invoice date").fill("2026-07-10")
    page.get_by_label("Due date").fill("2026-08-10")
    page.get_by_label("Line 1 description").fill("Paper and toner")
    page.get_by_label("Line 1 account").select_option(label="6-2400 Office Supplies")
    page.get_by_label("Line 1 amount").fill("100.00")
    totals = page.locator("#invoice-totals")
    expect(totals.locator(".total")).to_have_text("110.00")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Line 2 description")).to_be_focused()
    expect(page.get_by_label("Line 1 amount")).to_have_value("100.00")
    page.get_by_label("Line 2 description").fill("Court filing fee")
    page.get_by_label("Line 2 account").select_option(label="5-1000 Court and Filing Fees")
    page.get_by_label("Line 2 amount").fill("50")
    page.get_by_label("Line 2 GST-free").check()
    expect(totals.locator(".gst")).to_have_text("10.00")
    expect(totals.locator(".total")).to_have_text("160.00")
    snapshot(page, "invoice-form")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flashes")).to_contain_text("Draft SI-00001 saved.")
    expect(page.locator(".invoice-status")).to_have_text("draft")

    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".flashes")).to_contain_text("SI-00001 approved and posted as PU-000001.")
    expect(page.locator(".invoice-status")).to_have_text("awaiting payment")

    page.get_by_label("Payment date").fill("2026-07-20")
    page.get_by_label("Amount").fill("200")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("#amount-error")).to_contain_text("160.00 owing")
    page.get_by_label("Amount").fill("60")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".invoice-status")).to_have_text("part paid")
    expect(page.locator(".owing")).to_have_text("100.00")
    expect(page.get_by_label("Amount")).to_have_value("100.00")
    page.get_by_label("Payment date").fill("2026-07-25")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".invoice-status")).to_have_text("paid")
    expect(page.locator("#history tbody tr")).to_have_count(3)
    snapshot(page, "invoice-paid")

    page.locator("#history").get_by_role("link", name="AP-000002").click()
    expect(page.locator("table.journal-lines")).to_contain_text("2-1000 Accounts Payable")
    page.goto("/suppliers/invoices")
    expect(page.locator(".supplier-invoices")).to_contain_text("paid")


def test_raise_a_purchase_order_mark_it_sent_and_open_the_printable_view(page, sign_in, live_app):
    from accounting.ledger.journals import Journal
    from accounting.office.suppliers import SupplierDetails, save_supplier

    with live_app.app.app_context():
        session = live_app.session()
        save_supplier(session, None, SupplierDetails(name="Stationery Co", address="2 Paper Lane"))
        session.commit()
        session.remove()
    sign_in()
    page.goto("/suppliers/")
    page.get_by_role("link", name="Purchase orders").click()
    page.get_by_role("link", name="New purchase order").click()
    page.get_by_label("Supplier").select_option(label="Stationery Co")
    page.get_by_label("Order date").fill("2026-07-10")
    page.get_by_label("Delivery date").fill("2026-07-20")
    page.get_by_label("Line 1 description").fill("A4 paper, boxes")
    page.get_by_label("Line 1 account").select_option(label="6-2400 Office Supplies")
    page.get_by_label("Line 1 quantity").fill("3")
    page.get_by_label("Line 1 unit price").fill("12.50")
    expect(page.locator("#order-totals .total")).to_have_text("41.25")
    page.get_by_role("button", name="Save order").click()
    expect(page.locator(".flashes")).to_contain_text("Purchase order PO-00001 saved.")
    page.get_by_role("button", name="Mark sent").click()
    expect(page.locator(".order-status")).to_have_text("sent")
    page.get_by_role("link", name="Printable view").click()
    expect(page.locator(".order-number")).to_have_text("PO-00001")
    expect(page.locator(".printable-order")).to_contain_text("2 Paper Lane")
    snapshot(page, "order-print-screen")
    page.emulate_media(media="print")
    expect(page.locator(".print-back")).to_be_hidden()
    with live_app.app.app_context():
        from sqlalchemy import func, select

        assert live_app.session().scalar(select(func.count()).select_from(Journal)) == 0
        live_app.session().remove()
