"""Clients and matters in real Chromium: a refused TFN beside its field, active search, a matter."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS


def nav(page, name):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def add_client(page, name, kind="Company", tfn=""):
    page.goto("/clients/new")
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Name", exact=True).fill(name)
    if tfn:
        page.get_by_label("TFN").fill(tfn)
    page.get_by_role("button", name="Add client").click()


def test_a_bad_tfn_is_shown_beside_the_field_then_fixed_and_listed(page, sign_in):
    sign_in()
    nav(page, "Clients").click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Kind").select_option(label="Company")
    page.get_by_label("Name", exact=True).fill("Harbour View Pty Ltd")
    page.get_by_label("Email").fill("accounts@harbourview.example")
    page.get_by_label("TFN").fill("123 456 789")
    page.get_by_label("ABN").fill("51 824 753 556")
    page.get_by_role("button", name="Add client").click()

    tfn_field = page.locator(".field", has=page.get_by_label("TFN"))
    expect(tfn_field.locator(".error")).to_contain_text("check digit")
    expect(page.get_by_label("TFN")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Harbour View Pty Ltd")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "clients-bad-tfn.png"), full_page=True)

    page.get_by_label("TFN").fill("123 456 782")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Harbour View Pty Ltd")).to_be_visible()
    expect(page.locator(".flashes")).to_contain_text("Client Harbour View Pty Ltd added.")
    expect(page.locator("dd.tfn")).to_have_text("••• ••782")
    expect(page.locator("dd.abn")).to_have_text("51 824 753 556")

    nav(page, "Clients").click()
    expect(page.locator("#results")).to_contain_text("Harbour View Pty Ltd")


def test_active_search_narrows_the_list_as_you_type(page, sign_in):
    sign_in()
    for name in ["Harbour View Pty Ltd", "Brown Family Trust", "Citrus Partners"]:
        add_client(page, name, kind="Trust")
    page.goto("/clients")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    with page.expect_response(lambda r: "/clients?q=" in r.url
                              and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Search clients").press_sequentially("brow", delay=40)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Brown Family Trust")
    expect(page).to_have_url(re.compile(r"/clients\?q=brow(&|$)"))
    expect(page.get_by_role("heading", name="Clients")).to_have_count(1)  # swapped, not nested
    page.get_by_label("Search clients").fill("")
    expect(rows).to_have_count(3)


def test_a_matter_is_opened_closed_and_filtered(page, sign_in):
    sign_in()
    add_client(page, "Harbour View Pty Ltd")
    page.get_by_role("link", name="Open a matter").click()
    page.get_by_label("Description").fill("Lease of 2 Pier St")
    page.get_by_label("Responsible").select_option(label="Stu Staff")
    page.get_by_label("Opened on").fill("2026-07-01")
    page.get_by_role("button", name="Open matter").click()
    expect(page.locator(".flashes")).to_contain_text("opened for Harbour View Pty Ltd")
    expect(page.locator(".lead")).to_have_text("Lease of 2 Pier St")  # the new matter opens
    page.locator(".crumbs").get_by_role("link", name="Harbour View Pty Ltd").click()
    row = page.locator(".matters-table tbody tr").first
    expect(row).to_contain_text("Lease of 2 Pier St")
    expect(row.locator(".status")).to_have_text("open")

    nav(page, "Matters").click()
    page.wait_for_load_state()  # htmx (deferred) is listening before a select changes
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_label("Status").select_option(label="Closed")
    expect(page.locator("#results")).to_contain_text("No matters match.")
    page.get_by_label("Status").select_option(label="Open")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.locator("#results tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("open")
    expect(page.locator("#wip")).to_contain_text("Nothing unbilled.")
    page.screenshot(path=str(ARTIFACTS / "clients-matter-page.png"), full_page=True)
    page.get_by_role("link", name="Edit matter").click()
    page.get_by_label("Status").select_option(label="Closed")
    page.screenshot(path=str(ARTIFACTS / "clients-matter-edit.png"), full_page=True)
    page.get_by_role("button", name="Save matter").click()
    expect(page.locator(".matters-table tbody tr").first.locator(".status")).to_have_text("closed")


def test_a_related_person_is_added_and_removed(page, sign_in):
    sign_in()
    add_client(page, "Harbour View Pty Ltd", tfn="123 456 782")
    people = page.locator("#people")
    people.get_by_role("button", name="Add person").click()
    expect(people.locator(".field", has=page.get_by_label("Name", exact=True)).locator(".error")
           ).to_have_text("Enter the person's name.")
    people.get_by_label("Name", exact=True).fill("Jane Citizen")
    people.get_by_label("Role").select_option(label="Trustee")
    people.get_by_label("Email").fill("jane@example.com")
    people.get_by_role("button", name="Add person").click()
    expect(page.locator(".people-table tbody tr")).to_contain_text("Trustee")
    page.get_by_role("link", name="Open a matter").click()
    page.get_by_label("Description").fill("Trust deed variation")
    page.get_by_role("button", name="Open matter").click()
    expect(page.locator(".lead")).to_have_text("Trust deed variation")  # the new matter opens
    page.locator(".crumbs a").last.click()
    expect(page.locator(".matters-table")).to_contain_text("Trust deed variation")
    page.screenshot(path=str(ARTIFACTS / "clients-detail.png"), full_page=True)
    page.get_by_role("button", name="Remove Jane Citizen").click()
    expect(page.locator(".flashes")).to_contain_text("Jane Citizen removed.")
    expect(page.locator(".people-table")).to_have_count(0)
