"""Connecting to Xero in real Chromium, through the sandbox's own login and consent pages:
three organisations and a choice, a cancel, disconnect and reconnect, and the lost-connection bar
on every page once the sandbox revokes the connection."""

import pytest
import requests
from playwright.sync_api import expect

from sandbox import start_in_thread
from tests.integrations.conftest import xero_config
from tests.sandbox.conftest import sandbox_config


@pytest.fixture
def xero(live_app, tmp_path):
    """A live sandbox, and the live app's XERO_* settings pointed at it."""
    running = start_in_thread(sandbox_config(tmp_path / "sandbox"))
    live_app.app.config.update(xero_config(running))
    yield running
    running.stop()


def consent(page, organisations=("Demo Company (AU)",), action="Allow access"):
    """Sign in at the sandbox as demo@example.com (unless still signed in there, as after a
    first consent) and answer its consent page."""
    page.wait_for_load_state()
    if page.get_by_role("button", name="Log in").count():
        page.get_by_label("Email address").fill("demo@example.com")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Allow access")).to_be_visible()
    for name in organisations:
        page.get_by_label(name).check()
    page.get_by_role("button", name=action).click()


def test_connect_choose_disconnect_and_reconnect(page, sign_in, xero):
    sign_in()
    page.get_by_role("link", name="Integrations").click()
    expect(page.locator("[data-status=not-connected]")).to_be_visible()
    page.get_by_role("button", name="Connect to Xero").click()
    consent(page, ("Demo Company (AU)", "Trial Practice (AU)", "Nocode Legal Pty Ltd"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose organisation")
    page.get_by_label("Nocode Legal Pty Ltd").check()
    page.get_by_role("button", name="Use this organisation").click()
    expect(page.locator("[data-status=connected]")).to_contain_text("Nocode Legal Pty Ltd")
    expect(page.locator(".flash-success")).to_contain_text("Connected to Nocode Legal Pty Ltd.")

    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator(".flash-success")).to_contain_text("Disconnected from Nocode Legal Pty Ltd")
    expect(page.locator("[data-status=not-connected]")).to_be_visible()
    page.get_by_role("button", name="Connect to Xero").click()
    consent(page)
    expect(page.locator("[data-status=connected]")).to_contain_text("Demo Company (AU)")


def test_cancel_at_the_consent_page(page, sign_in, xero):
    sign_in()
    page.get_by_role("link", name="Integrations").click()
    page.get_by_role("button", name="Connect to Xero").click()
    consent(page, organisations=(), action="Cancel")
    expect(page.get_by_role("alert")).to_contain_text("You cancelled at Xero")


def test_the_bar_appears_on_every_page_when_revoked_and_goes_on_reconnect(page, sign_in, xero,
                                                                         live_app):
    from integrations.xero.client import ConnectionLost, accounting_api

    sign_in()
    page.get_by_role("link", name="Integrations").click()
    page.get_by_role("button", name="Connect to Xero").click()
    consent(page)
    expect(page.locator("[data-status=connected]")).to_be_visible()
    requests.post(f"{xero.url}/_sandbox/faults", json={"queue": ["revoke"]}, timeout=10)
    with live_app.app.app_context():
        from extensions import db

        api, tenant = accounting_api(db.session, live_app.app.config)
        with pytest.raises(ConnectionLost):
            api.get_organisations(tenant)
        db.session.remove()
    for link in ("Dashboard", "Clients", "Trust", "Integrations"):
        page.get_by_role("link", name=link, exact=True).first.click()
        expect(page.locator("#xero-bar")).to_contain_text("Xero is disconnected")
    page.locator("#xero-bar").get_by_role("button", name="Reconnect").click()
    consent(page)
    expect(page.locator("[data-status=connected]")).to_contain_text("Demo Company (AU)")
    expect(page.locator("#xero-bar")).to_have_count(0)
