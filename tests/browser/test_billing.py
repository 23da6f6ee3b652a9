"""Client billing in real Chromium: a bill written by hand with htmx lines and live totals,
approved, part paid, a credit note applied to it, and paid."""

import re
from datetime import date

from playwright.sync_api import expect

from accounting.parties.clients import ClientDetails, open_matter, save_client
from tests.browser.conftest import ARTIFACTS


def _client_with_matter(live_app):
    with live_app.app.app_context():
        session = live_app.session()
        client = save_client(session, None, ClientDetails(kind="company", name="Acme Pty Ltd"))
        matter = open_matter(session, None, client, description="Lease of Unit 4", responsible_id=None,
                             opened_on=date(2026, 7, 1))
        session.commit()
        number = matter.number
        session.remove()
    return number


def test_bill_approve_part_payment_credit_note_applied_paid(page, sign_in, live_app):
    matter = _client_with_matter(live_app)
    sign_in("staff@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    page.get_by_role("link", name="New bill").click()
    page.get_by_label("Matter").select_option(label=f"{matter} Lease of Unit 4 — Acme Pty Ltd")
    page.get_by_label("Date", exact=True).fill("2026-07-01")
    page.get_by_label("Line 1 description").fill("Advice on the lease")
    page.get_by_label("Line 1 quantity").fill("2.5")
    page.get_by_label("Line 1 rate").fill("400.00")
    totals = page.locator("#bill-totals")
    expect(totals.locator(".total")).to_have_text("1,100.00")
    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Line 2 description")).to_be_focused()
    expect(page.get_by_label("Line 1 rate")).to_have_value("400.00")
    page.get_by_label("Line 2 description").fill("Title search")
    page.get_by_label("Line 2 rate").fill("50")
    page.get_by_label("Line 2 income account").select_option(label="4-2000 Disbursements Recovered")
    page.get_by_label("Line 2 tax").select_option(label="GST-free")
    expect(totals.locator(".subtotal")).to_have_text("1,050.00")
    expect(totals.locator(".gst")).to_have_text("100.00")
    expect(totals.locator(".total")).to_have_text("1,150.00")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "billing-form.png"), full_page=True)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flashes")).to_contain_text("Draft bill saved.")
    expect(page.locator("h1 .status")).to_have_text("draft")

    page.get_by_role("button", name="Approve and post").click()
    expect(page.locator(".flashes")).to_contain_text("Bill INV-00001 approved and posted.")
    expect(page.locator("h1 .status")).to_have_text("awaiting payment")

    payment = page.locator("#payment")
    payment.get_by_label("Date").fill("2026-07-10")
    payment.get_by_label("Amount").fill("2000")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.locator("#payment-amount-error")).to_contain_text("INV-00001 has 1,150.00 owing")
    payment = page.locator("#payment")
    payment.get_by_label("Amount").fill("1000.00")
    payment.get_by_label("Reference").fill("EFT 123")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.locator("h1 .status")).to_have_text("part paid")
    expect(page.locator("tfoot .owed")).to_have_text("150.00")
    page.screenshot(path=str(ARTIFACTS / "billing-part-paid.png"), full_page=True)

    page.goto("/billing/credit-notes/new")
    page.get_by_label("Client").select_option(label="Acme Pty Ltd (C00001)")
    page.get_by_label("Date", exact=True).fill("2026-07-12")
    page.get_by_label("Line 1 description").fill("Discount agreed")
    page.get_by_label("Line 1 rate").fill("136.36")
    expect(page.locator("#bill-totals .total")).to_have_text("150.00")
    page.get_by_role("button", name="Issue credit note").click()
    expect(page.locator(".flashes")).to_contain_text("Credit note CN-00001 issued and posted.")
    apply = page.locator("#apply")
    apply.get_by_label("Date applied").fill("2026-07-12")
    apply.get_by_label("Apply to INV-00001").fill("150.00")
    apply.get_by_role("button", name="Apply credit").click()
    expect(page.locator(".flashes")).to_contain_text("CN-00001 applied.")
    expect(page.locator("h1 .status")).to_have_text("used")

    page.get_by_role("link", name="INV-00001", exact=True).click()
    expect(page.locator("h1 .status")).to_have_text("paid")
    expect(page.locator("tfoot .owed")).to_have_text("0.00")
    history = page.locator("table.bill-history")
    expect(history.locator("tbody tr")).to_have_count(3)
    expect(history).to_contain_text("CN-00001")
    page.screenshot(path=str(ARTIFACTS / "billing-paid.png"), full_page=True)

    page.get_by_role("link", name="All bills").click()
    page.wait_for_load_state()  # htmx (deferred) is listening before a select changes
    page.get_by_label("Status").select_option(label="Paid")
    expect(page).to_have_url(re.compile(r"status=paid"))
    expect(page.locator("table.bills tbody tr")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "billing-list.png"), full_page=True)
    page.goto("/billing/1/print")
    expect(page.locator("h2")).to_have_text("Tax invoice")


def test_bill_from_time_entries_approve_part_payment_credit_note_applied_paid(page, sign_in, live_app):
    matter = _client_with_matter(live_app)
    sign_in("staff@example.com")
    page.goto("/billing/")
    page.get_by_role("link", name="Work in progress").click()
    page.get_by_label("Matter").select_option(label=f"{matter} Lease of Unit 4 — Acme Pty Ltd")
    record = page.locator("#record")
    record.get_by_label("Date").fill("2026-07-02")
    record.get_by_label("Description").fill("Drafting the lease")
    record.get_by_label("Hours").fill("2")
    record.get_by_label("Hourly rate").fill("250")
    record.get_by_role("button", name="Record entry").click()
    expect(page.locator(".flashes")).to_contain_text("Entry recorded.")
    record = page.locator("#record")
    record.get_by_label("Kind").select_option(label="Disbursement")
    record.get_by_label("Date").fill("2026-07-02")
    record.get_by_label("Description").fill("Title search")
    record.get_by_label("Amount").fill("30")
    record.get_by_label("Tax").select_option(label="GST-free")
    record.get_by_role("button", name="Record entry").click()
    expect(page.locator("table.wip tbody tr")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "billing-wip.png"), full_page=True)
    page.locator("#unbilled").get_by_label("Bill date").fill("2026-07-03")
    page.get_by_role("button", name="Create draft bill from chosen").click()
    expect(page.locator("tfoot .total")).to_have_text("580.00")  # 500 + 50 GST + 30 GST-free

    page.get_by_role("button", name="Approve and post").click()
    expect(page.locator("h1 .status")).to_have_text("awaiting payment")
    payment = page.locator("#payment")
    payment.get_by_label("Date").fill("2026-07-10")
    payment.get_by_label("Amount").fill("500")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.locator("h1 .status")).to_have_text("part paid")

    page.goto("/billing/credit-notes/new")
    page.get_by_label("Client").select_option(label="Acme Pty Ltd (C00001)")
    page.get_by_label("Date", exact=True).fill("2026-07-12")
    page.get_by_label("Line 1 description").fill("Courtesy discount")
    page.get_by_label("Line 1 rate").fill("80")
    page.get_by_label("Line 1 tax").select_option(label="GST-free")
    page.get_by_role("button", name="Issue credit note").click()
    page.locator("#apply").get_by_label("Date applied").fill("2026-07-12")
    page.locator("#apply").get_by_label("Apply to INV-00001").fill("80")
    page.get_by_role("button", name="Apply credit").click()
    expect(page.locator(".flashes")).to_contain_text("CN-00001 applied.")
    page.get_by_role("link", name="INV-00001", exact=True).click()
    expect(page.locator("h1 .status")).to_have_text("paid")
    expect(page.locator("tfoot .owed")).to_have_text("0.00")
