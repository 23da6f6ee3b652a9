"""In real Chromium: a bill form shows every field's refusal at once, beside its field and with what
was typed; a server error that still happens shows the app's page with a reference."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_billing import _client_with_matter


def test_a_bill_form_shows_every_refusal_at_once(page, sign_in, live_app):
    matter = _client_with_matter(live_app)
    sign_in("staff@example.com")
    page.goto("/billing/new")
    page.get_by_label("Matter").select_option(label=f"{matter} Lease of Unit 4 — Acme Pty Ltd")
    page.get_by_label("Date", exact=True).fill("2026-07-10")
    page.get_by_label("Due date").fill("2026-07-01")
    page.get_by_label("Line 1 description").fill("Advice on the lease")
    page.get_by_label("Line 1 quantity").fill("１２")
    page.get_by_label("Line 1 rate").fill("1e3")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#due_date-error")).to_contain_text("cannot be before the bill's date")
    expect(page.get_by_label("Due date")).to_have_value("2026-07-01")
    expect(page.locator("#lines-0-quantity-error")).to_contain_text("is not an amount")
    expect(page.locator("#lines-0-rate-error")).to_contain_text("is not an amount")
    expect(page.get_by_label("Line 1 quantity")).to_have_value("１２")
    expect(page.get_by_label("Line 1 description")).to_have_attribute("maxlength", "300")
    page.screenshot(path=str(ARTIFACTS / "bill-form-every-refusal.png"), full_page=True)


def test_a_server_error_shows_the_apps_page_with_a_reference(page, sign_in, live_app):
    live_app.app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("boom")

    live_app.app.add_url_rule("/browser-boom", "browser_boom", boom)
    sign_in()
    response = page.goto("/browser-boom")
    assert response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("Something is wrong on the server")
    expect(page.locator(".error-reference")).to_have_text(re.compile(r"^[0-9a-f]{8}$"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
