"""Real Chromium loads the main pages (and the Xero integrations page) under the app's
Content-Security-Policy and reports no violation: no inline script, handler or style is blocked,
htmx injects no style of its own, and the page behaviour that replaced inline handlers still works."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

# Chromium fires securitypolicyviolation for every blocked script, handler, style or request; the
# init script is injected by the browser itself, so the policy does not stop it from listening.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

MAIN_PAGES = [
    "/", "/clients", "/billing/", "/billing/wip", "/banking/", "/suppliers/", "/journals/",
    "/reports/", "/reports/gst", "/trust/", "/trust/reports/", "/trust/transfers/", "/admin/",
    "/integrations/", "/audit",
]


SCREENSHOTS = {"/integrations/": "integrations", "/reports/gst": "gst", "/admin/": "admin"}


@pytest.fixture
def watched_page(page):
    page.add_init_script(WATCH_VIOLATIONS)
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text)
            if message.type == "error" else None)
    page.console_errors = console_errors
    return page


def _violations(page) -> list[str]:
    reported = page.evaluate("window.__cspViolations")
    in_console = [text for text in page.console_errors if "Content Security Policy" in text]
    return reported + in_console


def test_the_main_pages_load_with_no_policy_violation(watched_page, sign_in, live_app):
    page = watched_page
    sign_in()
    bank_id = _office_bank_id(live_app)
    for path in [*MAIN_PAGES, f"/banking/accounts/{bank_id}/reconcile"]:
        response = page.goto(path)
        assert response.status in (200,), f"{path} answered {response.status}"
        page.wait_for_load_state("load")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert _violations(page) == [], f"{path}: {_violations(page)}"
        assert page.evaluate("document.querySelectorAll('style').length") == 0, path
        assert page.evaluate("typeof htmx") == "object", f"{path}: htmx did not load"
        if path in SCREENSHOTS:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"csp-{SCREENSHOTS[path]}.png"), full_page=True)


def test_the_htmx_indicator_rules_come_from_the_stylesheet(watched_page, sign_in):
    page = watched_page
    sign_in()
    opacity = page.evaluate("""() => {
        const probe = document.createElement('span');
        probe.className = 'htmx-indicator';
        document.body.appendChild(probe);
        return getComputedStyle(probe).opacity;
    }""")
    assert opacity == "0"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False


def test_a_select_marked_autosubmit_submits_its_form(watched_page, sign_in):
    page = watched_page
    sign_in()
    page.goto("/billing/wip")
    options = page.locator("#matter option")
    if options.count() < 2:  # no matter in the test practice: the wiring is still checked
        expect(page.locator("#matter")).to_have_attribute("data-autosubmit", "")
        return
    page.select_option("#matter", index=1)
    page.wait_for_url("**/billing/wip?matter=*")
    assert _violations(page) == []


def test_a_confirm_form_asks_first_and_a_no_leaves_it_unsent(watched_page, sign_in, live_app):
    page = watched_page
    sign_in()
    page.goto("/admin/")
    page.evaluate("""() => {
        const form = document.createElement('form');
        form.method = 'post'; form.action = '/logout'; form.dataset.confirm = 'Really?';
        form.id = 'probe'; form.innerHTML = '<button type="submit">Go</button>';
        document.body.appendChild(form);
    }""")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#probe button")
    page.wait_for_timeout(300)
    assert asked == ["Really?"]
    assert page.url.endswith("/admin/")


def _office_bank_id(live_app) -> int:
    from sqlalchemy import select

    from accounting.ledger.accounts import Account
    from extensions import db

    with live_app.app.app_context():
        bank_id = db.session.scalar(select(Account.id).where(Account.code == "1-1000"))
        db.session.remove()
    return bank_id
