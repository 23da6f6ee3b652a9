"""Signing in and out, login everywhere, roles, CSRF and sign-in throttling."""

import pytest

from tests.conftest import PASSWORD
from tests.support import html, text_of


def test_every_page_needs_login(client, books):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_admin_signs_in_and_sees_the_dashboard(client, auth):
    auth.login()
    page = html(client.get("/"))
    assert "Ada Admin" in text_of(page.find("header"))
    assert page.find("a", string="Admin") is not None


def test_wrong_password_is_refused_with_a_message_and_401(client, books):
    response = client.submit("/login", {"email": "admin@example.com", "password": "nope-nope-nope"})
    assert response.status_code == 401
    page = html(response)
    assert "do not match" in text_of(page.find(class_="form-errors"))
    assert page.find("input", attrs={"name": "email"})["value"] == "admin@example.com"


def test_repeated_failed_logins_are_slowed_down(client, books):
    for _ in range(6):
        client.submit("/login", {"email": "admin@example.com", "password": "wrong-password"})
    response = client.submit("/login", {"email": "admin@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in text_of(html(response).find(class_="form-errors"))


def test_post_without_csrf_token_is_refused_with_400(client, books):
    response = client.post("/login", data={"email": "admin@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in text_of(html(response).find("main"))


def test_sign_out_ends_the_session(client, auth):
    auth.login()
    auth.logout()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.example.com/", "//evil.example.com/",
    "/%09/evil.example.com/", "/%0d/evil.example.com/", "/%5Cevil.example.com/",
    "%09//evil.example.com/", "/\\evil.example.com/",
])
def test_next_never_redirects_off_site(client, books, target):
    response = client.submit(f"/login?next={target}",
                             {"email": "admin@example.com", "password": PASSWORD})
    assert response.location == "/"


def test_next_keeps_a_local_path_with_its_query(client, books):
    response = client.submit("/login?next=/clients/%3Fq%3Dsmith",
                             {"email": "admin@example.com", "password": PASSWORD})
    assert response.location == "/clients/?q=smith"


def test_staff_user_gets_403_on_admin_pages(client, auth):
    auth.login("staff@example.com")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "Your role does not allow" in text_of(html(response).find("main"))
