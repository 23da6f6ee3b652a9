"""The trust desk in real Chromium: a receipt (payer filled from the matter) and its printed receipt,
a payment refused as an overdraw and then made, a trust journal between two matters, a reversal."""

import re
from datetime import date

from playwright.sync_api import expect

from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.parties.users import User
from accounting.trust.accounts import close_trust_account, create_trust_account
from tests.browser.conftest import ARTIFACTS


def snapshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"trust-desk-{name}.png"), full_page=True)


def add_matters(live_app):
    """Two clients with a matter each; returns the matters' option labels."""
    with live_app.app.app_context():
        session = live_app.session()
        admin = session.query(User).filter_by(email="admin@example.com").one()
        labels = []
        for name, description in (("Acme Pty Ltd", "Lease of Unit 4"), ("Bo Smith", "Estate of J Smith")):
            client = save_client(session, admin, ClientDetails(kind="company", name=name))
            matter = open_matter(session, admin, client, description=description, responsible_id=None,
                                 opened_on=date(2026, 7, 1))
            labels.append(f"{matter.number} — {name} — {description}")
            live_app.matter_ids = [*getattr(live_app, "matter_ids", []), matter.id]
        session.commit()
        session.remove()
    return labels


def test_receipt_print_payment_journal_and_reversal(page, sign_in, live_app):
    lease, estate = add_matters(live_app)
    sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trust").click()
    expect(page.locator("table.trust-accounts")).to_contain_text("Agrees")

    # A receipt: the payer comes from the matter's client.
    page.get_by_role("link", name="Record a receipt").click()
    page.wait_for_load_state()  # htmx (deferred) is listening before a select changes
    page.get_by_label("Find a matter").fill("Acme")
    expect(page.locator("#matter option")).to_have_count(2)
    page.get_by_label("Matter", exact=True).select_option(label=lease)
    expect(page.get_by_label("Received from")).to_have_value("Acme Pty Ltd")
    page.get_by_label("Amount").fill("1,500.00")
    page.get_by_label("Reference").fill("CHQ 100231")
    page.get_by_label("Description").fill("Deposit for the lease")
    snapshot(page, "receipt-form")
    page.get_by_role("button", name="Record receipt").click()
    expect(page).to_have_url(re.compile(r"/trust/transactions/\d+$"))
    expect(page.locator(".flashes")).to_contain_text("Receipt R-000001 recorded.")
    page.get_by_role("link", name="Printable receipt").click()
    receipt = page.locator("article.trust-receipt")
    expect(receipt).to_contain_text("R-000001")
    expect(receipt).to_contain_text("$1,500.00")
    expect(receipt.locator(".receipt-words")).to_have_text("One thousand five hundred dollars")
    expect(receipt.locator("dt:has-text(\"Received by\") + dd")).to_have_text("Ada Admin")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    snapshot(page, "receipt-print")
    page.emulate_media(media="screen")

    # The matter page shows the money held for it, with links to record more.
    page.goto(f"/matters/{live_app.matter_ids[0]}")
    summary = page.locator("section.trust-summary")
    if summary.count():
        expect(summary.locator("table.trust-balances")).to_contain_text("1,500.00")
        expect(summary.get_by_role("link", name="Trust payment")).to_be_visible()
        snapshot(page, "matter-summary")
        summary.get_by_role("link", name="Trust payment").click()
        expect(page.locator("#available")).to_contain_text("1,500.00")

    # A payment: the available balance shows, an overdraw is refused with it, then a valid one.
    page.goto("/trust/")
    page.get_by_role("link", name="Record a payment").click()
    page.wait_for_load_state()  # htmx (deferred) is listening before a select changes
    expect(page.locator("#available")).to_contain_text("Choose a trust account and a matter")
    page.get_by_label("Matter", exact=True).select_option(label=lease)
    expect(page.locator("#available")).to_contain_text("1,500.00")
    page.get_by_label("Paid to").fill("Vendor's solicitors")
    page.get_by_label("Amount").fill("2,000.00")
    page.get_by_label("Authority reference").fill("Signed authority 3 Jul")
    page.get_by_label("Description").fill("Settlement funds")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("#amount-error")).to_contain_text("1,500.00 is available")
    expect(page.get_by_label("Paid to")).to_have_value("Vendor's solicitors")
    snapshot(page, "payment-overdraw")
    page.get_by_label("Amount").fill("400.00")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".flashes")).to_contain_text("Payment P-000001 recorded.")

    # A trust journal between the two matters, both balances on the form.
    page.goto("/trust/")
    page.get_by_role("link", name="Trust journal").click()
    page.wait_for_load_state()  # htmx (deferred) is listening before a select changes
    page.get_by_label("From matter").select_option(label=lease)
    page.get_by_label("Find the matter it goes to").fill("Smith")
    expect(page.locator("#to_matter option")).to_have_count(2)
    expect(page.locator("#from_matter option")).to_have_count(3)
    page.get_by_label("To matter").select_option(label=estate)
    expect(page.locator("#journal-balances .from-balance")).to_have_text("1,100.00")
    expect(page.locator("#journal-balances .to-balance")).to_have_text("0.00")
    page.get_by_label("Amount").fill("100.00")
    page.get_by_label("Authority reference").fill("Client email 4 Jul")
    page.get_by_label("Description").fill("Estate costs")
    snapshot(page, "journal-form")
    page.get_by_role("button", name="Record trust journal").click()
    expect(page.locator(".flashes")).to_contain_text("Trust journal J-000001 recorded.")

    # Reverse it: first without a reason (refused on the form), then with one.
    page.get_by_role("button", name="Reverse J-000001").click()
    expect(page.locator("#reason-error")).to_contain_text("Give the reason")
    page.get_by_label("Reason").fill("Wrong matter")
    page.get_by_role("button", name="Reverse J-000001").click()
    expect(page.locator(".flashes")).to_contain_text("J-000001 reversed by X-000001.")
    expect(page.locator(".reversed-by")).to_contain_text("Reversed by X-000001")
    snapshot(page, "reversed")
    page.get_by_role("link", name="X-000001").click()
    expect(page.locator(".reverses")).to_contain_text("Reverses J-000001")

    page.goto("/trust/")
    row = page.locator("table.trust-accounts tbody tr").first
    expect(row.locator(".cash-book")).to_have_text("1,100.00")
    expect(row.locator(".agreement")).to_have_text("Agrees")
    expect(page.locator("table.trust-transactions tbody tr")).to_have_count(4)
    snapshot(page, "index")
    page.get_by_label("Kind", exact=True).select_option(label="Payment")
    expect(page.locator("table.trust-transactions tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"kind=payment"))


def test_an_admin_opens_a_controlled_money_account_and_closes_an_empty_one(page, sign_in, live_app):
    _, estate = add_matters(live_app)
    sign_in()
    page.goto("/trust/")
    page.get_by_role("link", name="Open a trust account").click()
    page.get_by_label("Kind").select_option(label="Controlled money")
    page.get_by_label("Code").fill("1-1120")
    page.get_by_label("Name").fill("Controlled - Smith estate")
    page.get_by_label("Bank").fill("Westpac")
    page.get_by_label("BSB").fill("03200")
    page.get_by_label("Account number").fill("556677")
    page.get_by_role("button", name="Open account").click()
    expect(page.locator("#matter-error")).to_contain_text("Choose a matter")
    expect(page.locator("#bsb")).to_have_value("03200")
    snapshot(page, "account-refused")
    page.get_by_label("Matter (controlled money only)").select_option(label=estate)
    page.get_by_role("button", name="Open account").click()
    expect(page.locator("#bsb-error")).to_contain_text("six digits")
    page.get_by_label("BSB").fill("032-000")
    page.get_by_role("button", name="Open account").click()
    expect(page.locator(".flashes")).to_contain_text(
        "Controlled money account 1-1120 Controlled - Smith estate opened.")
    row = page.locator("tr[data-account='1-1120']")
    expect(row).to_contain_text("Westpac · BSB 032-000 · 556677")
    expect(row.locator(".agreement")).to_have_text("Agrees")
    snapshot(page, "accounts")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="Close 1-1120 Controlled - Smith estate").click()
    expect(page.locator(".flashes")).to_contain_text("1-1120 Controlled - Smith estate closed.")
    assert asked == ["Close 1-1120 Controlled - Smith estate? "
                     "A closed trust account takes no more transactions."]
    expect(page.locator("tr[data-account='1-1120'] .status-closed")).to_be_visible()
    snapshot(page, "account-closed")


def test_an_admin_reopens_a_closed_trust_account_and_its_history_says_why(page, sign_in, live_app):
    with live_app.app.app_context():
        session = live_app.session()
        second = create_trust_account(session, None, code="1-1110", name="Second Trust", bank_name="NAB")
        close_trust_account(session, None, second.id)
        session.commit()
        session.remove()
    sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trust").click()
    page.get_by_role("link", name="Reopen 1-1110 Second Trust").click()
    expect(page.locator("h1 .status")).to_have_text("closed")
    page.get_by_role("button", name="Reopen account").click()
    expect(page.locator("#reason-error")).to_have_text("Give the reason for reopening the account.")
    snapshot(page, "reopen-refused")
    page.get_by_label("Reason for reopening").fill("Settlement funds for the Smith estate arrive here")
    page.get_by_role("button", name="Reopen account").click()
    expect(page.locator(".flashes")).to_contain_text("1-1110 Second Trust reopened.")
    expect(page.locator("h1 .status")).to_have_text("open")
    history = page.locator("table.trust-account-history tbody tr")
    expect(history).to_have_count(3)
    expect(history.nth(2)).to_contain_text("reopened: Settlement funds for the Smith estate arrive here")
    snapshot(page, "reopened")
    page.get_by_role("link", name="Trust", exact=True).first.click()
    expect(page.locator("tr[data-account='1-1110'] .status-closed")).to_have_count(0)
