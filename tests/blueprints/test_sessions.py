"""Ending sessions: a session cookie copied before logout, a password reset or deactivation stops
working, on every browser of that person."""

import pytest
from flask import g

from tests.conftest import PASSWORD, FormClient


class Browser(FormClient):
    """One of several browsers. The tests hold one app context open, so flask.g outlives a request:
    without this, one browser's signed-in user and CSRF token would leak into another's request."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


def _browser(app) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)


def _signed_in_client(app, email):
    browser = _browser(app)
    response = browser.submit("/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    assert browser.get("/").status_code == 200
    return browser


def _session_cookie(browser) -> str:
    return browser.get_cookie("session").value


def _replay(app, cookie: str) -> int:
    """The status of the dashboard for a fresh browser holding a copied session cookie."""
    thief = _browser(app)
    thief.set_cookie("session", cookie)
    return thief.get("/").status_code


def test_a_cookie_taken_before_logout_no_longer_works(app, books):
    browser = _signed_in_client(app, "staff@example.com")
    stolen = _session_cookie(browser)
    assert _replay(app, stolen) == 200
    browser.submit("/logout")
    assert _replay(app, stolen) == 302


def test_logout_ends_the_persons_other_sessions_too(app, books):
    laptop = _signed_in_client(app, "staff@example.com")
    phone = _signed_in_client(app, "staff@example.com")
    laptop.submit("/logout")
    assert phone.get("/").status_code == 302


def test_an_admins_password_reset_ends_the_persons_sessions(app, books):
    staff = _signed_in_client(app, "staff@example.com")
    stolen = _session_cookie(staff)
    admin = _signed_in_client(app, "admin@example.com")
    response = admin.submit(f"/admin/users/{books.staff.id}/password",
                            {"password": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert staff.get("/").status_code == 302
    assert _replay(app, stolen) == 302
    assert admin.get("/").status_code == 200  # the admin's own session is untouched


def test_an_admin_resetting_their_own_password_stays_signed_in_there(app, books):
    admin = _signed_in_client(app, "admin@example.com")
    stolen = _session_cookie(admin)
    response = admin.submit(f"/admin/users/{books.admin.id}/password",
                            {"password": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    assert admin.get("/").status_code == 200
    assert _replay(app, stolen) == 302


def test_deactivation_ends_the_persons_sessions_and_reactivation_does_not_revive_them(app, books):
    staff = _signed_in_client(app, "staff@example.com")
    stolen = _session_cookie(staff)
    admin = _signed_in_client(app, "admin@example.com")
    form = {"name": "Stu Staff", "role": "staff"}
    assert admin.submit(f"/admin/users/{books.staff.id}", {**form, "active": ""}).status_code == 303
    assert admin.submit(f"/admin/users/{books.staff.id}", {**form, "active": "y"}).status_code == 303
    assert _replay(app, stolen) == 302


@pytest.mark.parametrize("session_id", ["1", "1.x", "x.0", "99999999999999999999.0", "١.0", ""])
def test_a_malformed_session_id_is_nobody(db_session, books, session_id):
    from accounting.parties.users import user_for_session

    assert user_for_session(db_session, session_id) is None
