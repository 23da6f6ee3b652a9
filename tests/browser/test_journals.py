"""A general journal in real Chromium: htmx lines and live totals, posting, the trial balance,
and reversing it."""

import re

from playwright.sync_api import expect


def test_enter_a_journal_add_a_line_post_it_and_see_it_on_the_trial_balance(page, sign_in):
    sign_in()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journals").click()
    page.get_by_role("link", name="New journal").click()
    page.get_by_label("Narration").fill("Rent and insurance for July")
    page.get_by_label("Line 1 account").select_option(label="6-2000 Rent")
    page.get_by_label("Line 1 debit").fill("1,000.00")
    page.get_by_label("Line 2 account").select_option(label="6-2100 Professional Indemnity Insurance")
    page.get_by_label("Line 2 debit").fill("100.00")
    totals = page.locator("#journal-totals")
    expect(totals.locator(".debits")).to_have_text("1,100.00")
    expect(totals.locator(".balance-status")).to_have_text("Out of balance")

    page.get_by_role("button", name="Add line").click()
    expect(page.get_by_label("Line 3 account")).to_be_focused()
    expect(page.get_by_label("Line 1 debit")).to_have_value("1,000.00")
    page.get_by_label("Line 3 account").select_option(label="1-1000 Office Cheque Account")
    page.get_by_label("Line 3 credit").fill("1100")
    expect(totals.locator(".balance-status")).to_have_text("Balanced")
    expect(totals.locator(".difference")).to_have_text("0.00")

    page.get_by_role("button", name="Post journal").click()
    expect(page).to_have_url(re.compile(r"/journals/\d+$"))
    expect(page.locator(".flashes")).to_contain_text("Journal GJ-000001 posted.")

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Trial balance").click()
    table = page.locator("table.trial-balance")
    expect(table.locator("tr", has_text="6-2000")).to_contain_text("1,000.00")
    expect(table.locator("tr", has_text="6-2100")).to_contain_text("100.00")
    expect(table.locator("tfoot")).to_contain_text("1,100.00")


def test_remove_a_line_and_see_an_error_beside_the_field(page, sign_in):
    sign_in()
    page.goto("/journals/new")
    page.get_by_label("Narration").fill("Wrong")
    page.get_by_role("button", name="Add line").click()
    expect(page.locator("tr.line")).to_have_count(3)
    page.get_by_role("button", name="Remove line 3").click()
    expect(page.locator("tr.line")).to_have_count(2)
    expect(page.get_by_label("Line 2 account")).to_be_focused()
    page.get_by_label("Line 1 account").select_option(label="6-2000 Rent")
    page.get_by_label("Line 1 debit").fill("10.005")
    page.get_by_label("Line 2 account").select_option(label="1-1000 Office Cheque Account")
    page.get_by_label("Line 2 credit").fill("10.00")
    expect(page.locator("#journal-totals .balance-status")).to_have_text("Check the amounts")
    page.get_by_role("button", name="Post journal").click()
    expect(page.locator("#lines-0-debit-error")).to_contain_text("at most two decimals")
    expect(page.get_by_label("Line 1 debit")).to_have_value("10.005")


def test_reverse_a_posted_journal(page, sign_in, live_app):
    sign_in()
    page.goto("/journals/new")
    page.get_by_label("Narration").fill("Bank fees")
    page.get_by_label("Line 1 account").select_option(label="6-2600 Bank Fees")
    page.get_by_label("Line 1 debit").fill("12.50")
    page.get_by_label("Line 2 account").select_option(label="1-1000 Office Cheque Account")
    page.get_by_label("Line 2 credit").fill("12.50")
    page.get_by_role("button", name="Post journal").click()
    expect(page.locator(".flashes")).to_contain_text("posted")

    page.get_by_label("Reason").fill("Charged in error")
    page.get_by_role("button", name="Reverse GJ-000001").click()
    expect(page.locator(".flashes")).to_contain_text("GJ-000001 reversed by RV-000001.")
    expect(page.locator("#reverse")).to_contain_text("itself a reversal")
    page.get_by_role("link", name="GJ-000001").click()
    expect(page.locator("dl")).to_contain_text(re.compile(r"Reversed by\s*RV-000001"))

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Trial balance").click()
    expect(page.get_by_text("No account has a balance at this date.")).to_be_visible()
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("table.audit-log")).to_contain_text("GJ-000001 reversed by RV-000001")
