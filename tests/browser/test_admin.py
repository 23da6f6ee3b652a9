"""The admin area in real Chromium: the chart of accounts, practice settings, users, roles."""

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS


def snapshot(page, name: str) -> None:
    """Keep a picture of a state worth looking at (the fixture keeps only the last one)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def test_admin_adds_an_account_to_the_chart_and_archives_it(page, sign_in):
    sign_in()
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Chart of accounts").click()
    page.get_by_role("link", name="Add account").click()

    page.get_by_label("Code").fill("1-1000")
    page.get_by_label("Name").fill("Staff Training")
    page.get_by_label("Type").select_option(label="Overhead")
    page.get_by_role("button", name="Add account").click()
    expect(page.locator(".field.has-error")).to_contain_text("already used by “Office Cheque Account”")
    expect(page.get_by_label("Name")).to_have_value("Staff Training")
    snapshot(page, "account-error")

    page.get_by_label("Code").fill("6-2450")
    page.get_by_role("button", name="Add account").click()
    expect(page.locator(".flash-success")).to_contain_text("Account 6-2450 Staff Training added.")
    row = page.get_by_role("row").filter(has_text="6-2450")
    expect(row).to_contain_text("Overhead")
    expect(row).to_contain_text("active")

    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("6-2450 Staff Training")
    page.get_by_role("button", name="Archive account").click()
    expect(page.locator(".flash-success")).to_contain_text("Account 6-2450 Staff Training archived.")
    expect(page.get_by_role("row").filter(has_text="6-2450")).to_contain_text("archived")


def test_an_account_the_books_need_shows_why_it_cannot_be_archived(page, sign_in):
    sign_in()
    page.goto("/admin/accounts")
    page.get_by_role("row").filter(has_text="2-2000").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("button", name="Archive account")).to_be_disabled()
    expect(page.get_by_role("button", name="Delete account")).to_be_disabled()
    expect(page.locator("#archive-blocker")).to_contain_text("trust liability account")


def test_admin_changes_practice_settings_and_sees_the_lock_date(page, sign_in):
    sign_in()
    page.get_by_role("link", name="Admin").click()
    snapshot(page, "index")
    page.get_by_role("link", name="Practice settings").click()
    expect(page.get_by_label("Base currency")).to_have_value("AUD")

    page.get_by_label("GST rate (%)").fill("10.125")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field.has-error")).to_contain_text("at most two decimals")
    snapshot(page, "practice-error")

    page.get_by_label("GST rate (%)").fill("10")
    page.get_by_label("Practice name").fill("Smith & Co Lawyers")
    page.get_by_label("Lock date").fill("2026-06-30")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash-success")).to_contain_text("lock date none → 30 Jun 2026")
    expect(page.locator("#current-lock-date")).to_have_text("30 Jun 2026")
    expect(page.get_by_label("Lock date")).to_have_value("2026-06-30")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Smith & Co Lawyers")).to_be_visible()
    expect(page.get_by_text("books locked before 30 Jun 2026")).to_be_visible()


def test_admin_adds_a_staff_user(page, sign_in):
    sign_in()
    page.goto("/admin/users")
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Name").fill("Nina New")
    page.get_by_label("Email").fill("nina@example.com")
    page.get_by_label("Initial password").fill("short")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".field.has-error")).to_contain_text("at least 10 characters")
    snapshot(page, "user-error")
    page.get_by_label("Initial password").fill("a-long-password")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".flash-success")).to_contain_text("Nina New can now sign in")
    expect(page.get_by_role("row").filter(has_text="nina@example.com")).to_contain_text("staff")
    snapshot(page, "users")
    page.get_by_role("row").filter(has_text="Stu Staff").get_by_role("link", name="Edit").click()
    snapshot(page, "user-edit")


def test_staff_user_is_refused_every_admin_area(page, sign_in):
    sign_in("staff@example.com")
    for url in ("/admin/users", "/admin/practice", "/admin/accounts"):
        response = page.goto(url)
        assert response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
