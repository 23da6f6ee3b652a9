"""Trust to office in real Chromium: money received into trust pays part of a posted bill (the bill
list follows the matter by htmx), and a batch pays two matters' bills in one submit."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from accounting.ledger.accounts import Account
from accounting.ledger.tax import TaxCode
from accounting.office.billing import approve_bill, create_bill
from accounting.office.bills import BillLineInput
from accounting.parties.clients import ClientDetails, open_matter, save_client
from accounting.trust.accounts import ensure_default_trust_account
from accounting.trust.posting import record_receipt
from tests.browser.conftest import ARTIFACTS

JULY = date(2026, 7, 1)


def _books(live_app, *clients):
    """For each (client name, trust received, bill rate): a matter, a trust receipt and a posted bill."""
    made = []
    with live_app.app.app_context():
        session = live_app.session()
        account = ensure_default_trust_account(session)
        fees = session.query(Account).filter_by(code="4-1000").one()
        for name, received, rate in clients:
            client = save_client(session, None, ClientDetails(kind="company", name=name))
            matter = open_matter(session, None, client, description="Lease", responsible_id=None,
                                 opened_on=JULY)
            if received:
                record_receipt(session, None, trust_account_id=account.id, matter_id=matter.id, date=JULY,
                               amount=Decimal(received), payer=name, method="eft")
            line = BillLineInput("Advice", Decimal("1"), Decimal(rate), fees.id, TaxCode.GST)
            bill = create_bill(session, None, matter_id=matter.id, date=JULY, lines=[line])
            approve_bill(session, None, bill)
            session.commit()
            made.append((matter.number, bill.number))
        session.remove()
    return made


def test_receipt_then_transfer_to_office_pays_part_of_the_bill(page, sign_in, live_app):
    [(matter, bill)] = _books(live_app, ("Acme Pty Ltd", "2000.00", "1000.00"))
    sign_in("staff@example.com")
    page.goto("/trust/transfers/new")
    page.get_by_label("Matter").select_option(label=f"{matter} Acme Pty Ltd — 2,000.00 in trust")
    expect(page.get_by_label("Bill")).to_have_value(page.get_by_label("Bill").locator("option").nth(1)
                                                    .get_attribute("value"))
    expect(page.get_by_label("Amount")).to_have_value("1100.00")
    page.get_by_label("Amount").fill("600.00")
    page.get_by_label("Date", exact=True).fill("2026-07-02")
    page.get_by_label("Client's authority").fill("Costs agreement clause 9")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trust-transfer-form.png"), full_page=True)
    page.get_by_role("button", name="Transfer and pay the bill").click()
    flashes = page.locator(".flashes")
    expect(flashes).to_contain_text(f"T-000001 paid 600.00 of {bill} from trust (now part paid).")
    expect(page.locator("#bill-paid .bill-status")).to_have_text("part paid")
    expect(page.locator("#bill-paid .owed")).to_have_text("500.00")
    page.get_by_role("link", name=bill).click()
    expect(page.locator("h1 .status")).to_have_text("part paid")
    expect(page.locator(".owed")).to_have_text("500.00")


def test_a_batch_pays_two_matters_bills_at_once(page, sign_in, live_app):
    made = _books(live_app, ("Acme Pty Ltd", "1500.00", "1000.00"), ("Bo Smith", "300.00", "500.00"))
    sign_in("staff@example.com")
    page.goto("/trust/transfers/")
    rows = page.locator("table.trust-batch tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_label(f"Transfer for {made[0][1]}")).to_have_value("1100.00")
    expect(page.get_by_label(f"Transfer for {made[1][1]}")).to_have_value("300.00")
    page.get_by_label("Client's authority").fill("Signed authorities on file")
    page.get_by_label(f"Transfer for {made[1][1]}").fill("300.01")
    page.get_by_role("button", name="Transfer and pay the bills").click()
    expect(page.locator("#rows-1-amount-error")).to_contain_text("would overdraw")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trust-batch-refused.png"), full_page=True)
    page.get_by_label(f"Transfer for {made[1][1]}").fill("300.00")
    page.get_by_role("button", name="Transfer and pay the bills").click()
    expect(page.locator(".flashes")).to_contain_text("2 transfers to office recorded")
    expect(page.locator("table.trust-batch")).to_have_count(0)
    recent = page.locator("section.panel table tbody tr")
    expect(recent).to_have_count(2)


def test_reverse_a_transfer_then_interest_and_a_statutory_deposit(page, sign_in, live_app):
    [(matter, bill)] = _books(live_app, ("Acme Pty Ltd", "2000.00", "1000.00"))
    sign_in("admin@example.com")
    page.goto("/trust/transfers/")
    page.get_by_label("Client's authority").fill("Costs agreement clause 9")
    page.get_by_role("button", name="Transfer and pay the bills").click()
    expect(page.locator(".flashes")).to_contain_text("(now paid)")
    page.locator("section.panel table tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("#bill-paid .bill-status")).to_have_text("paid")
    reverse = page.locator("#reverse")
    reverse.get_by_label("Reason").fill("Client disputes the bill")
    reverse.get_by_role("button", name="Reverse T-000001").click()
    expect(page.locator("h1 .status")).to_have_text("reversed")
    expect(page.locator("#bill-paid .owed")).to_have_text("1,100.00")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trust-transfer-reversed.png"), full_page=True)

    page.get_by_role("link", name="Trust settings").click()
    page.get_by_label("Trust interest goes").select_option(label="To the practice")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flashes")).to_contain_text("Trust settings saved.")
    page.get_by_role("link", name="Interest").click()
    expect(page.get_by_label("Where it goes")).to_have_value("practice")
    page.get_by_label("Interest", exact=True).fill("4.50")
    page.get_by_label("Date credited by the bank").fill("2026-07-31")
    page.get_by_role("button", name="Record the interest").click()
    expect(page.locator(".flashes")).to_contain_text("I-000001, T-000002")
    page.screenshot(path=str(ARTIFACTS / "trust-interest.png"), full_page=True)

    page.get_by_role("link", name="Statutory deposits").click()
    page.get_by_label("Amount").fill("1500.00")
    page.get_by_label("Date", exact=True).fill("2026-07-31")
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".flashes")).to_contain_text("Statutory deposit D-000001 recorded.")
    page.get_by_label("Movement").select_option(label="Withdraw from the deposit")
    page.get_by_label("Amount").fill("2000.00")
    page.get_by_label("Date", exact=True).fill("2026-07-31")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#amount-error")).to_contain_text("holds 1,500.00")
    expect(page.locator("#statutory-ledger .held")).to_have_text("1,500.00")
    page.screenshot(path=str(ARTIFACTS / "trust-statutory.png"), full_page=True)


def test_desk_receipt_then_the_trust_page_leads_to_paying_the_bill(page, sign_in, live_app):
    [(matter, bill)] = _books(live_app, ("Acme Pty Ltd", None, "1000.00"))
    sign_in("staff@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trust").click()
    page.get_by_role("link", name="Record a receipt").click()
    page.wait_for_load_state()
    page.get_by_label("Find a matter").fill("Acme")
    expect(page.locator("#matter option")).to_have_count(2)
    page.locator("#matter").select_option(index=1)
    expect(page.get_by_label("Received from")).to_have_value("Acme Pty Ltd")
    page.get_by_label("Amount").fill("800.00")
    page.get_by_role("button", name="Record receipt").click()
    expect(page.locator(".flashes")).to_contain_text("Receipt R-000001 recorded.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trust").click()
    page.get_by_role("link", name="Transfers to office, interest, statutory deposits").click()
    expect(page.get_by_label(f"Transfer for {bill}")).to_have_value("800.00")
    page.get_by_label("Client's authority").fill("Costs agreement clause 9")
    page.get_by_role("button", name="Transfer and pay the bills").click()
    paid = f"T-000001 paid 800.00 of {bill} from trust (now part paid)"
    expect(page.locator(".flashes")).to_contain_text(paid)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trust").click()
    expect(page.locator("table.trust-accounts")).to_contain_text("Agrees")
