"""Mapping the practice to Xero in real Chromium, through the sandbox: the chart read by the
queue (huey run at once, in the live app), the checks, Map accounts, Map tax codes, Create in
Xero; staff see the status but none of the buttons."""

import pytest
from playwright.sync_api import expect

from sandbox import start_in_thread
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_xero_connect import consent
from tests.integrations.conftest import xero_config
from tests.sandbox.conftest import sandbox_config


@pytest.fixture
def xero(live_app, tmp_path, monkeypatch):
    """A live sandbox, the live app pointed at it, and huey running each task at once."""
    import tasks

    running = start_in_thread(sandbox_config(tmp_path / "sandbox"))
    live_app.app.config.update(xero_config(running))
    monkeypatch.setattr(tasks, "_flask_app", live_app.app)
    tasks.huey.immediate = True
    yield running
    tasks.huey.immediate = False
    running.stop()


def connect_demo(page, sign_in):
    sign_in()
    page.get_by_role("link", name="Integrations").click()
    page.get_by_role("button", name="Connect to Xero").click()
    consent(page)
    expect(page.locator("[data-status=connected]")).to_contain_text("Demo Company (AU)")
    expect(page.locator("#xero-checks")).to_be_visible()


def test_map_accounts_and_tax_codes_then_create_the_trust_accounts(page, sign_in, xero):
    connect_demo(page, sign_in)
    expect(page.locator("[data-check='Live organisation']")).to_contain_text("demo organisation")
    expect(page.locator("#mapping-summary [data-complete]")).to_have_attribute("data-complete", "no")
    page.screenshot(path=str(ARTIFACTS / "xero-integrations-checks.png"), full_page=True)

    page.get_by_role("link", name="Map accounts").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map accounts")
    page.screenshot(path=str(ARTIFACTS / "xero-map-accounts.png"), full_page=True)
    page.get_by_role("button", name="Accept all suggestions").click()
    expect(page.locator(".flash-success")).to_contain_text("Accepted")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("The account mapping was saved")

    page.get_by_role("link", name="Map tax codes").first.click()
    expect(page.locator("tr[data-tax=gst_on_income] td.num").first).to_have_text("10.00")
    page.get_by_label("GST-free income").select_option("EXEMPTOUTPUT")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("The tax mapping was saved")
    page.screenshot(path=str(ARTIFACTS / "xero-map-tax.png"), full_page=True)

    page.get_by_role("link", name="Integrations").first.click()
    if page.locator("#missing-trust").count():
        expect(page.locator("#missing-trust tbody tr").first).to_be_visible()
        page.get_by_role("button", name="Create in Xero").click()
        expect(page.locator("#trust-created")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "xero-after-create.png"), full_page=True)


def test_staff_see_the_status_but_not_the_buttons(page, sign_in, xero):
    connect_demo(page, sign_in)
    page.get_by_role("button", name="Sign out").click()
    sign_in("staff@example.com")
    page.get_by_role("link", name="Integrations").click()
    expect(page.locator("[data-status=connected]")).to_contain_text("Demo Company (AU)")
    expect(page.locator("#xero-checks")).to_be_visible()
    for name in ("Create in Xero", "Refresh Xero chart", "Disconnect", "Reconnect"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    page.get_by_role("link", name="Map accounts").first.click()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_role("button", name="Accept all suggestions")).to_have_count(0)
    expect(page.locator("select").first).to_be_disabled()
    page.screenshot(path=str(ARTIFACTS / "xero-map-accounts-staff.png"), full_page=True)
