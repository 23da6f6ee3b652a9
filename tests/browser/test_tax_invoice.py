"""On the demo data in real Chromium: the printed tax invoice and the GST summary (which agrees
with the ledger from the start)."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

DEMO_PASSWORD = "demo-password-1"


def _demo(live_app):
    """The demo practice over the live app's books; the fixture's own users step aside for the
    demo's (seed_demo seeds only where its admin does not exist yet)."""
    from sqlalchemy import select

    from accounting.demo import seed_demo
    from accounting.office.bills import Bill
    from accounting.parties.users import find_user_by_email

    with live_app.app.app_context():
        s = live_app.session()
        find_user_by_email(s, "admin@example.com").email = "ada@example.com"
        find_user_by_email(s, "staff@example.com").email = "stu@example.com"
        s.flush()
        seed_demo(s, admin_password=DEMO_PASSWORD)
        s.commit()
        bills = s.scalars(select(Bill).order_by(Bill.id)).all()
        return next(b.id for b in bills if b.client.name.startswith("Bayside") and b.number)


def test_the_printed_tax_invoice_on_the_demo_data(live_app, page, sign_in):
    bill_id = _demo(live_app)
    sign_in("admin@example.com", DEMO_PASSWORD)
    page.goto(f"/billing/{bill_id}/print")
    expect(page.get_by_role("heading", name="Tax invoice")).to_be_visible()
    expect(page.locator(".practice-details")).to_contain_text("ABN 53 004 085 616")
    expect(page.locator(".client-address")).to_contain_text("ABN 51 824 753 556")
    expect(page.locator(".payment-details")).to_contain_text("062-000")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tax-invoice-demo.png"), full_page=True)


def test_the_gst_summary_on_the_demo_data_agrees(live_app, page, sign_in):
    _demo(live_app)
    sign_in("admin@example.com", DEMO_PASSWORD)
    today = date.today()
    page.goto(f"/reports/gst?start={(today - timedelta(days=120)).isoformat()}&end={today.isoformat()}")
    expect(page.locator(".ledger-check")).to_contain_text("agrees")
    expect(page.locator("#g4")).to_have_text("18.45")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "gst-summary-demo.png"), full_page=True)
