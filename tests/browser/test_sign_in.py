"""Signing in, and roles, in real Chromium."""

from playwright.sync_api import expect


def test_admin_signs_in_and_lands_on_the_dashboard(page, sign_in):
    sign_in()
    expect(page.get_by_role("banner")).to_contain_text("Ada Admin")
    expect(page.get_by_role("link", name="Admin")).to_be_visible()


def test_staff_user_is_refused_an_admin_page(page, sign_in):
    sign_in("staff@example.com")
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
